/*
 * The floor for the simulator's throughput: a bare node:http server that answers every request
 * with the exact bytes the simulator sent for GET /data (status, headers, body), closing the
 * connection after each response as the simulator (and the device) does. Whatever the simulator
 * serves slower than this is the framework's own cost: its host's limits and socket bookkeeping,
 * the manager's routing, the JSON of the data store.
 *
 * Usage: node --import tsx bench/load/bare-server.ts <response.json>
 * response.json: {"status":200,"headers":[["content-type","..."],...],"body":"<base64>"}
 * Prints "listening on http://127.0.0.1:PORT" once it serves; exits on SIGTERM.
 */

import { createServer } from "node:http";
import { readFileSync } from "node:fs";

interface CapturedResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

const captured = JSON.parse(readFileSync(process.argv[2], "utf8")) as CapturedResponse;
const body = Buffer.from(captured.body, "base64");

const server = createServer((req, res) => {
  // Drain the request (there is no body for GET) the way any server must before answering.
  req.resume();
  res.statusCode = captured.status;
  for (const [name, value] of captured.headers) res.setHeader(name, value);
  res.setHeader("connection", "close");
  res.setHeader("content-length", body.length);
  res.end(body);
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
process.once("SIGINT", () => server.close(() => process.exit(0)));
