#!/usr/bin/env node
// A stand-in engine that answers instantly: `/_ping` and every other GET with one recorded body.
// The bench times the docker CLI against it to show the CLI's own share of a scenario (its floor).
// Usage: node replay-server.mjs SOCKET BODY_FILE   (prints "ready" once listening)
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';

const [socketPath, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
rmSync(socketPath, { force: true });
createServer((request, response) => {
  if (request.url?.endsWith('/_ping')) {
    response.writeHead(200, { 'Api-Version': '1.41', 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('OK');
    return;
  }
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.end(body);
}).listen(socketPath, () => console.log('ready'));
