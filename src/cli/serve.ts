export { serveCommand } from '../server/serve.js';
