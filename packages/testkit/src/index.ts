/**
 * @mqttkit/testkit: private test helpers for mqttkit. A raw MQTT packet builder and frame reader
 * written independently of `@mqttkit/codec`, raw sockets and a fake broker on 127.0.0.1, helpers
 * that run Debian's mosquitto tools, and throwaway TLS certificates made with openssl.
 */
export {
  /** Finds an executable on PATH, then in /usr/sbin and /usr/local/sbin. */
  findExecutable,
  /** Picks a free TCP port on 127.0.0.1. */
  findFreePort,
  /** The mosquitto tools the helpers need. */
  MOSQUITTO_TOOLS,
  /** A running mosquitto broker, stopped by its PID. */
  type MosquittoBroker,
  /** Options of `startMosquitto`. */
  type MosquittoOptions,
  /** Options of `mosquittoSub`. */
  type MosquittoSubOptions,
  /** A long-running mosquitto_sub started by `spawnMosquittoSub`. */
  type MosquittoSubProcess,
  /** Lists the mosquitto tools that cannot be found. */
  missingMosquittoTools,
  /** True when mosquitto, mosquitto_pub and mosquitto_sub are all installed. */
  mosquittoAvailable,
  /** Runs mosquitto_pub on loopback and waits for it to exit. */
  mosquittoPub,
  /** Runs mosquitto_sub on loopback until it exits by itself or times out. */
  mosquittoSub,
  /** Options of `spawnMosquittoSub`. */
  type SpawnMosquittoSubOptions,
  /** Starts a long-running mosquitto_sub and resolves once it is subscribed. */
  spawnMosquittoSub,
  /** Starts mosquitto on 127.0.0.1 with a temp config, as an async-disposable resource. */
  startMosquitto,
  /** Options of `mosquittoPub`. */
  type ToolOptions,
  /** How a mosquitto tool run ended: exit code, signal, output and whether it timed out. */
  type ToolResult,
} from './mosquitto.js';
export {
  /** The subject of a certificate: its common name and subjectAltName entries. */
  type CertificateSubject,
  /** Generates a CA, server, client and untrusted-CA certificates in a temp dir, as an async-disposable resource. */
  createTestPki,
  /** Options of `TestPki.issue`: subject, key usage and signing CA. */
  type IssueOptions,
  /** One key and certificate: PEM contents and file paths. */
  type TestCertificate,
  /** The certificates made by `createTestPki`, their temp dir, and `issue` for more. */
  type TestPki,
  /** Options of `createTestPki`: server and client subjects, file permissions and the openssl bound. */
  type TestPkiOptions,
} from './pki.js';
export {
  /** A raw TCP client for broker tests, connected with `RawClient.connect(port)`. */
  RawClient,
  /** Options of `RawClient.connect`. */
  type RawClientOptions,
} from './raw-client.js';
export {
  /** How a connection ended. */
  type CloseInfo,
  /** Default bound in milliseconds for every wait on a socket or process. */
  DEFAULT_TIMEOUT_MS,
  /** Options of `expectFrame`. */
  type ExpectFrameOptions,
  /** A socket seen as an ordered queue of frames, with bounded, readable expectations. */
  RawConnection,
} from './raw-connection.js';
export {
  /** Encodes Binary Data: two-byte length, then the bytes. */
  binary,
  /** Builds a whole packet from its first byte and body: fixed header plus Remaining Length. */
  frame,
  /** The MQTT 5.0 property table: id to spec name and wire type. */
  PROPERTY_TABLE,
  /** Fields of a CONNACK. */
  type RawConnackOptions,
  /** Fields of a CONNECT, with overrides for malformed ones. */
  type RawConnectOptions,
  /** An application payload: a string (UTF-8) or bytes. */
  type RawPayload,
  /** One property to write: `[id, value]`. */
  type RawProperty,
  /** The wire types of MQTT 5.0 property values. */
  type RawPropertyType,
  /** Fields of a PUBLISH. */
  type RawPublishOptions,
  /** A string field: a string (UTF-8) or bytes written verbatim. */
  type RawString,
  /** One topic filter of a SUBSCRIBE and its options. */
  type RawSubscription,
  /** A protocol level: 3 (3.1), 4 (3.1.1) or 5 (5.0). */
  type RawVersion,
  /** The Will message of a CONNECT. */
  type RawWill,
  /** Builds an AUTH packet (5.0). */
  rawAuth,
  /** Builds a CONNACK packet, for fake brokers. */
  rawConnack,
  /** Builds a CONNECT packet for 3.1, 3.1.1 or 5.0. */
  rawConnect,
  /** Builds a DISCONNECT packet. */
  rawDisconnect,
  /** Builds a PINGREQ packet. */
  rawPingreq,
  /** Builds a PINGRESP packet, for fake brokers. */
  rawPingresp,
  /** Encodes a v5 property block from `[id, value]` pairs, in order, duplicates and unknown ids allowed. */
  rawProperties,
  /** Builds a PUBACK packet. */
  rawPuback,
  /** Builds a PUBCOMP packet. */
  rawPubcomp,
  /** Builds a PUBLISH packet. */
  rawPublish,
  /** Builds a PUBREC packet. */
  rawPubrec,
  /** Builds a PUBREL packet. */
  rawPubrel,
  /** Builds a SUBACK packet, for fake brokers. */
  rawSuback,
  /** Builds a SUBSCRIBE packet. */
  rawSubscribe,
  /** Builds an UNSUBACK packet, for fake brokers. */
  rawUnsuback,
  /** Builds an UNSUBSCRIBE packet. */
  rawUnsubscribe,
  /** A property value with its wire type spelled out. */
  type TypedPropertyValue,
  /** Encodes one byte. */
  u8,
  /** Encodes a big-endian Two Byte Integer. */
  u16,
  /** Encodes a big-endian Four Byte Integer. */
  u32,
  /** Encodes a UTF-8 Encoded String: two-byte length, then the bytes. */
  utf8String,
  /** Encodes a Variable Byte Integer. */
  varint,
} from './raw-packets.js';
export {
  /** Describes a frame in one line for error messages. */
  describeFrame,
  /** Splits a byte stream into frames, keeping incomplete tails. */
  FrameReader,
  /** A parsed PUBACK, PUBREC, PUBREL or PUBCOMP. */
  type ParsedAck,
  /** A parsed CONNACK. */
  type ParsedConnack,
  /** A parsed CONNECT. */
  type ParsedConnect,
  /** A parsed DISCONNECT or AUTH. */
  type ParsedDisconnect,
  /** One property as read: `[id, value]`. */
  type ParsedProperty,
  /** A property value as read. */
  type ParsedPropertyValue,
  /** A parsed PUBLISH. */
  type ParsedPublish,
  /** A parsed SUBACK or UNSUBACK. */
  type ParsedSuback,
  /** A parsed SUBSCRIBE. */
  type ParsedSubscribe,
  /** One parsed SUBSCRIBE entry. */
  type ParsedSubscription,
  /** A parsed UNSUBSCRIBE. */
  type ParsedUnsubscribe,
  /** Names a packet type number as the spec does. */
  packetName,
  /** Parses a PUBACK, PUBREC, PUBREL or PUBCOMP frame. */
  parseAck,
  /** Parses an AUTH frame. */
  parseAuth,
  /** Parses a CONNACK frame. */
  parseConnack,
  /** Parses a CONNECT frame. */
  parseConnect,
  /** Parses a DISCONNECT frame. */
  parseDisconnect,
  /** Parses a PUBLISH frame. */
  parsePublish,
  /** Parses a SUBACK frame. */
  parseSuback,
  /** Parses a SUBSCRIBE frame. */
  parseSubscribe,
  /** Parses an UNSUBACK frame. */
  parseUnsuback,
  /** Parses an UNSUBSCRIBE frame. */
  parseUnsubscribe,
  /** Every value of one property id, in wire order. */
  propertyValues,
  /** One control packet split from a byte stream: type, flags and body. */
  type RawFrame,
  /** Splits bytes that hold whole frames. */
  splitFrames,
} from './raw-reader.js';
export {
  /** Options of `FakeBroker.acceptConnect`. */
  type AcceptConnectOptions,
  /** What `FakeBroker.acceptConnect` returns. */
  type AcceptedConnection,
  /** A server bound by `listenOnEphemeralPort`. */
  type EphemeralListener,
  /** A scriptable MQTT peer on an ephemeral port, for client tests. */
  FakeBroker,
  /** Anything that listens like `net.Server`. */
  type ListenableServer,
  /** Binds a server to 127.0.0.1 on an ephemeral port, as an async-disposable resource. */
  listenOnEphemeralPort,
} from './servers.js';
