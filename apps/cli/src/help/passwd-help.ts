/** `mqttkit passwd --help`. */
export const PASSWD_HELP = `Usage: mqttkit passwd [-c] [-H SCHEME] FILE USER           prompt for the password
       mqttkit passwd [-c] [-H SCHEME] -b FILE USER PASSWORD  batch mode
       mqttkit passwd -D FILE USER                           delete USER

Adds, changes or deletes a user in an mqttkit-broker password file (salted scrypt or PBKDF2 hashes;
Mosquitto's $7$ lines are kept and still verified).

  -c             create a new file (replaces an existing one)
  -b             batch mode: the password is the third argument
  -D             delete USER
  -H SCHEME      scrypt (default) or pbkdf2-sha512
  --help         this help

On a terminal the password is asked for twice without echo; otherwise the first line of standard
input is the password. Exit codes: 0 done; 1 bad arguments, unknown user (-D), unreadable file.
`;
