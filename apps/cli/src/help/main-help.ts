/** `mqttkit --help`. */
export const MAIN_HELP = `Usage: mqttkit <command> [options]

Commands:
  pub      publish messages (mosquitto_pub's options)
  sub      subscribe and print messages (mosquitto_sub's options)
  bench    load a broker: bench conn | bench pub | bench sub (emqtt-bench style)
  passwd   manage an mqttkit-broker password file (mosquitto_passwd style)

Options:
  --help     this help (mqttkit <command> --help for a command's options)
  --version  print the version

Examples:
  mqttkit sub -h broker -t 'sensors/#' -v
  mqttkit pub -h broker -t sensors/1 -m 21.5 -q 1 -r
  mqttkit bench pub -h broker -c 10 -I 0 -t 'bench/%i' --duration 10
  mqttkit passwd -c /etc/mqttkit/passwd alice
`;
