// Cost of the FFI boundary per call: getpid, and one RTM_GETLINK (ifindex 1, lo) request answered
// by one recv. Run: npx tsx bench/syscalls-micro.ts [rounds]
import { AF_NETLINK, SOCK_CLOEXEC, SOCK_RAW, bind, close, getpid, recv, sendto, sockaddrNl, socket } from '../src/syscalls/index.js';

const rounds = Number(process.argv[2] ?? 5);

// nlmsghdr { len 32, RTM_GETLINK 18, NLM_F_REQUEST, seq, pid 0 } + ifinfomsg { AF_UNSPEC, ifindex 1 }
const req = Buffer.alloc(32);
req.writeUInt32LE(32, 0);
req.writeUInt16LE(18, 4);
req.writeUInt16LE(1, 6);
req.writeInt32LE(1, 20);

const fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
bind(fd, sockaddrNl());
const rx = Buffer.alloc(32768);

function roundTrip(seq: number): number {
  req.writeUInt32LE(seq, 8);
  sendto(fd, req, 0);
  const n = recv(fd, rx, 0);
  if (rx.readUInt32LE(8) !== seq || rx.readUInt16LE(4) !== 16) throw new Error('unexpected reply');
  return n;
}

// The codec may build a fresh Buffer per request: that one travels as a Buffer (not by address).
function roundTripFresh(seq: number): number {
  const fresh = Buffer.alloc(32);
  req.copy(fresh);
  fresh.writeUInt32LE(seq, 8);
  sendto(fd, fresh, 0);
  const n = recv(fd, rx, 0);
  if (rx.readUInt32LE(8) !== seq) throw new Error('unexpected reply');
  return n;
}

function time(n: number, f: (i: number) => unknown): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(i);
  return Number(process.hrtime.bigint() - t0) / n / 1000;
}

time(20000, roundTrip);
time(100000, getpid);
const rt: number[] = [];
const gp: number[] = [];
const rf: number[] = [];
for (let r = 0; r < rounds; r++) {
  rt.push(time(50000, roundTrip));
  rf.push(time(50000, roundTripFresh));
  gp.push(time(200000, getpid));
}
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const fmt = (a: number[]): string => `median ${med(a).toFixed(2)} µs (min ${Math.min(...a).toFixed(2)}, max ${Math.max(...a).toFixed(2)})`;
console.log(`reply size ${roundTrip(1)} bytes`);
console.log(`sendto+recv round trip: ${fmt(rt)}`);
console.log(`  with a fresh request: ${fmt(rf)}`);
console.log(`getpid:                 ${fmt(gp)}`);
close(fd);
