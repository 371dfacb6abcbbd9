/**
 * Broker-wide counters, read by `$SYS` topics and metrics. Plain numbers incremented on the hot path:
 * no objects, no closures.
 */
export class BrokerStats {
  readonly startedAt = Date.now();
  /** Connections open now (sockets, whether or not CONNECT completed). */
  connections = 0;
  /** Connections opened since start (sockets accepted, CONNECT or not). */
  connectionsTotal = 0;
  /** Clients connected now (CONNECT accepted). */
  clientsConnected = 0;
  /** Highest `clientsConnected` seen. */
  clientsMaximum = 0;
  /** CONNECTs accepted since start. */
  clientsTotal = 0;
  /** PUBLISH packets received from clients. */
  messagesReceived = 0;
  /** PUBLISH packets written to clients. */
  messagesSent = 0;
  /** Messages not delivered to some session (queue full, congested, expired, too large, ...). */
  messagesDropped = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** Every control packet received / sent. */
  packetsReceived = 0;
  packetsSent = 0;
  /** Connections closed for a protocol violation. */
  protocolErrors = 0;
  /** Times a client was slowed down by a per-client rate limit. */
  throttled = 0;
  /** CONNECTs refused for arriving above the connection rate limit. */
  connectionsRateLimited = 0;

  /** Note a newly connected client. */
  clientConnected(): void {
    this.clientsConnected++;
    this.clientsTotal++;
    if (this.clientsConnected > this.clientsMaximum) this.clientsMaximum = this.clientsConnected;
  }
}
