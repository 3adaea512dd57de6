// Sockets for the sock_diag tests and golden captures, made by a plain Node process that the test
// starts inside a namespace (`ip netns exec NS node sockdiag-peers.mjs PLAN`): nothing of nlkit
// runs here, so what ss and nlkit report about these sockets is an independent observation.
//
// PLAN is a JSON array of steps, run in order:
//   { "kind": "tcp-listen",  "name": "l4", "host": "0.0.0.0", "port": 22, "ipv6Only": false }
//   { "kind": "tcp-connect", "name": "c4", "host": "127.0.0.1", "port": 22, "write": 1000 }
//   { "kind": "udp-bind",    "name": "u4", "type": "udp4", "host": "127.0.0.1", "port": 5353 }
//   { "kind": "udp-connect", "name": "uc", "type": "udp4", "host": "127.0.0.1", "port": 5353, "send": 3 }
//   { "kind": "unix-listen", "name": "x1", "path": "\u0000nlkit-abs" }   (a leading NUL: abstract)
//   { "kind": "unix-connect","name": "xc", "path": "\u0000nlkit-abs", "write": 100 }
//   "read": true on a tcp-listen/unix-listen or a connect step: that socket reads (and drops) what
//   arrives instead of leaving it queued, so that it sees a reset or end as it comes
//   { "kind": "hold", "seconds": 120 }   (last: freezes the event loop so that nothing is read,
//                                          not even UDP, which Node always reads; no events then)
// Accepted connections are never read (pauseOnConnect) and clients pause after connecting, so
// written bytes stay queued where ss can see them. When every step is done it prints one line
// {"ready": {name: {port, ...}}}; later lines are {"event": "end"|"error"|"close", "name", "code"}.
// It exits when stdin closes (the test went away) or on SIGTERM.
import * as dgram from "node:dgram";
import * as net from "node:net";

const plan = JSON.parse(process.argv[2] ?? "[]");
const ready = {};
const keep = [];
const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

function watch(name, sock) {
  keep.push(sock);
  sock.on("error", (e) => say({ event: "error", name, code: e.code }));
  sock.on("end", () => say({ event: "end", name }));
  sock.on("close", () => say({ event: "close", name }));
}

function listen(step) {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: !step.read }, (s) => {
      watch(`${step.name}:accepted`, s);
      say({ event: "accepted", name: step.name });
    });
    server.on("error", reject);
    const opts = step.path !== undefined ? { path: step.path } : { host: step.host, port: step.port, ipv6Only: step.ipv6Only ?? false };
    server.listen({ ...opts, backlog: step.backlog ?? 128 }, () => {
      keep.push(server);
      const a = server.address();
      ready[step.name] = typeof a === "string" ? { path: a } : { port: a.port };
      resolve();
    });
  });
}

function connect(step) {
  return new Promise((resolve, reject) => {
    const opts = step.path !== undefined ? { path: step.path } : { host: step.host, port: step.port };
    const s = net.connect(opts, () => {
      if (!step.read) s.pause();
      s.removeListener("error", reject);
      watch(step.name, s);
      ready[step.name] = step.path !== undefined ? {} : { port: s.localPort };
      if (!step.write) return resolve();
      // Node hands the kernel what it takes at once and keeps the rest (a full window)
      s.write(Buffer.alloc(step.write, 0x61));
      setImmediate(resolve);
    });
    s.once("error", reject);
  });
}

function udpBind(step) {
  return new Promise((resolve, reject) => {
    const u = dgram.createSocket({ type: step.type ?? "udp4", ipv6Only: step.ipv6Only ?? false });
    u.once("error", reject);
    u.bind(step.port, step.host, () => {
      // never read: received datagrams stay in the receive queue
      u.removeAllListeners("message");
      keep.push(u);
      ready[step.name] = { port: u.address().port };
      resolve();
    });
  });
}

function udpConnect(step) {
  return new Promise((resolve, reject) => {
    const u = dgram.createSocket({ type: step.type ?? "udp4" });
    u.once("error", reject);
    u.connect(step.port, step.host, () => {
      keep.push(u);
      ready[step.name] = { port: u.address().port };
      // a connected socket sends at once, inside this call: the datagrams are queued at the
      // receiver before the event loop could read them (see "hold")
      for (let i = 0; i < (step.send ?? 0); i++) u.send(Buffer.alloc(64, 0x62));
      resolve();
    });
  });
}

let hold = 0;
const steps = {
  "tcp-listen": listen, "unix-listen": listen, "tcp-connect": connect, "unix-connect": connect,
  "udp-bind": udpBind, "udp-connect": udpConnect,
  hold: async (step) => { hold = step.seconds ?? 120; },
};

try {
  for (const step of plan) {
    const run = steps[step.kind];
    if (!run) throw new Error(`unknown step kind ${step.kind}`);
    await run(step);
  }
} catch (e) {
  say({ failed: String(e?.message ?? e), code: e?.code });
  process.exit(1);
}
say({ ready, pid: process.pid });
if (hold > 0) {
  // stdout is a pipe, written synchronously: the ready line is out before the loop stops
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, hold * 1000);
  process.exit(0);
}
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
