// apid_stream.mjs: the stream client of the apid stream scripts
// (apid_sse_delta.sh, apid_sse_figures.sh). Imported with APID (apid's base
// URL) and DB (its database) in the environment, it opens /api/stream and
// collects every frame as {event, id, data}. Exports:
//   frames               the frames so far, in order
//   next(event, from)    index of the first `event` frame at or after from
//                        (waits up to 20 s; exits failing when none comes)
//   sql(text)            runs SQL on DB with sqlite3 (as pollerd would commit)
//   fail(msg)            records a failure; done(ok) prints ok or the count
//                        and exits 1 on any failure
import http from 'node:http';
import { execFileSync } from 'node:child_process';

const base = new URL(process.env.APID);
let failures = 0;
export const fail = (m) => { failures++; console.log('FAIL ' + m); };
export const done = (ok) => {
  console.log(failures ? `${failures} failures` : ok);
  process.exit(failures ? 1 : 0);
};
export const sql = (s) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', process.env.DB, s]).toString().trim();
export const frames = [];
let waiter = null;
http.get({ host: base.hostname, port: base.port, path: '/api/stream', agent: false }, (res) => {
  let buf = '';
  res.setEncoding('utf8');
  res.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const f = {};
      for (const line of buf.slice(0, i).split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const k = line.slice(0, line.indexOf(':'));
        f[k] = line.slice(line.indexOf(':') + 1).trimStart();
      }
      buf = buf.slice(i + 2);
      if (f.event) frames.push(f);
      if (waiter) waiter();
    }
  });
});
export async function next(event, from) {
  for (let t = 0; t < 400; t++) {
    const k = frames.findIndex((f, j) => j >= from && f.event === event);
    if (k >= 0) return k;
    await new Promise((r) => { waiter = r; setTimeout(r, 50); });
  }
  fail(`no ${event} frame`);
  process.exit(1);
}
