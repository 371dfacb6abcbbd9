/** Aedes under test: in-memory persistence and mqemitter (its defaults), served the way its README shows. */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { brokerOptions, serveControl } from './control.js';

const aedes = await Aedes.createBroker(brokerOptions());
const server = createServer(aedes.handle);
server.listen(0, '127.0.0.1', () => serveControl(server.address().port));
