/**
 * `@mqttkit/codec`: a sans-I/O MQTT 3.1 / 3.1.1 / 5.0 encoder and streaming decoder. It reads and
 * writes bytes and packet objects only; sockets, timers and session state live elsewhere.
 */

export { DEFAULT_MAXIMUM_PACKET_SIZE, Decoder, type DecoderOptions } from './decoder.js';
export { encode, encodedSize } from './encode.js';
export { setPublishDup, setPublishPacketId } from './publish-frame.js';
