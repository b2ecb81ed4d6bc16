import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { HTML_REPORT_FILE, JSON_REPORT_FILE, readReport, renderHtmlReport } from '../report/index.js';
import { EXIT, UsageError } from './errors.js';

export interface ShowReportOptions {
  port: number;
  host: string;
  open: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** The report folder and its page: a folder, a report.html or a report.json (rendered on the fly). */
function locate(target: string): { folder: string; page: string } {
  const path = resolve(target);
  if (!existsSync(path)) throw new UsageError(`show-report: ${path} does not exist; run a suite first`);
  const folder = statSync(path).isDirectory() ? path : dirname(path);
  const page = statSync(path).isDirectory() ? HTML_REPORT_FILE : relative(folder, path);
  if (!existsSync(join(folder, page)) && !existsSync(join(folder, JSON_REPORT_FILE))) {
    throw new UsageError(`show-report: no ${HTML_REPORT_FILE} or ${JSON_REPORT_FILE} in ${folder}`);
  }
  return { folder, page };
}

/**
 * Serves the report folder on loopback, so the page's links to task logs work, and the page itself
 * even for a run that wrote only report.json. Only files inside the folder are served.
 */
export function serveReport(folder: string, page: string, host: string, port: number): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(folder, `.${path === '/' ? `/${page}` : path}`);
    if (file !== folder && !file.startsWith(folder + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      let body: Buffer | string;
      if (file === join(folder, HTML_REPORT_FILE) && !existsSync(file)) {
        body = renderHtmlReport(readReport(join(folder, JSON_REPORT_FILE)), folder);
      } else {
        body = await readFile(file);
      }
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveServer(server));
  });
}

/** `cc-stress show-report [path]`: serves the HTML report until Ctrl-C, and opens it if asked. */
export async function showReportCommand(target: string, options: ShowReportOptions): Promise<number> {
  const { folder, page } = locate(target);
  const server = await serveReport(folder, page, options.host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host}:${port}/`;
  process.stdout.write(`serving ${folder} at ${url} (Ctrl-C to stop)\n`);
  if (options.open) {
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
    spawn(opener, [url], { stdio: 'ignore', detached: true })
      .on('error', () => process.stderr.write(`cc-stress: could not start ${opener}; open ${url} yourself\n`))
      .unref();
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      server.close(() => done());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.pass;
}
