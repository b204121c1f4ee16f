// apid_raw.mjs: raw-socket clients for the apid scripts, where curl cannot
// do what a hostile client does (duplicate headers, bodies that never come,
// many connections from chosen loopback addresses).
//
//   node apid_raw.mjs send PORT FROM WAIT_MS [TRICKLE_MS]  request on stdin; prints
//        what came back within WAIT_MS ("" when nothing), then
//        "[closed by apid]" if apid closed the connection by then
//   node apid_raw.mjs hold PORT FROM N WAIT_MS       opens N connections from
//        FROM, each sending the request on stdin (headers, no body), and
//        prints one status line per connection that got an answer within
//        WAIT_MS ("none" for the others); closes them all
//   node apid_raw.mjs stream PORT FROM N WAIT_MS     N GET /api/stream from
//        FROM; prints the status of each
//
// FROM is the local address to bind (127.0.0.x): apid counts clients per
// address, and every 127.0.0.0/8 address reaches a server on 127.0.0.1.
import net from 'node:net';
import fs from 'node:fs';

const [cmd, port, from, ...rest] = process.argv.slice(2);
const input = cmd === 'stream' ? '' : fs.readFileSync(0, 'latin1');

function connect(req) {
  return new Promise((resolve) => {
    const s = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: from });
    let data = '';
    let closed = false;
    s.setEncoding('latin1');
    s.on('data', (d) => (data += d));
    s.on('close', () => (closed = true));
    s.on('error', () => {});
    s.on('connect', () => s.write(req, 'latin1'));
    resolve({ s, get data() { return data; }, get closed() { return closed; } });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (cmd === 'send') {
  const c = await connect(input);
  // with TRICKLE_MS: one more body byte that often, as a slow client does
  const t = rest[1] ? setInterval(() => c.s.write('x'), Number(rest[1])) : null;
  await sleep(Number(rest[0]));
  clearInterval(t);
  process.stdout.write(c.data);
  if (c.closed) process.stdout.write('\n[closed by apid]\n');
  c.s.destroy();
} else if (cmd === 'hold' || cmd === 'stream') {
  const n = Number(rest[0]);
  const req = cmd === 'stream' ? 'GET /api/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n' : input;
  const cs = [];
  for (let i = 0; i < n; i++) cs.push(await connect(req));
  await sleep(Number(rest[1]));
  for (const c of cs) {
    const m = /^HTTP\/1\.1 (\d+)/.exec(c.data);
    console.log(m ? m[1] : 'none');
  }
  for (const c of cs) c.s.destroy();
} else {
  console.error('usage: apid_raw.mjs send|hold|stream PORT FROM ...');
  process.exit(2);
}
