// nlkit as a peer of ../shared/bench-peers/run-peers.sh (its README has the contract and the
// workloads). Written the way a user of the public API would write it: no internals.
//
//   npx tsx bench/peer.ts [--mode request|batch|both] W1..W5 N        (or NLKIT_MODE=...)
//
// request: one awaited verb per step (rt.link.add, rt.addr.add, ...).
// batch:   rt.batch() -> verbs -> send(), 256 requests per send like the c-batch peer, with
//          explicit ifindexes on link.add so that no lookup is needed in the middle of a batch.
// both (the default, what the harness's single `ts` slot runs): the request mode's numbers under
//          the contract's labels (W1, W3.add, ...), then, where the workload leaves the namespace
//          as it found it (W3: every route is deleted again), the batch mode in the same process
//          under "<label>.batch" labels (W3.batch, W3.batch.add, ...). W1 and W5 leave their
//          links behind, so both modes cannot share one run; W2 and W4 have nothing to batch
//          (dumps and mounts), so their batch mode is the request mode.
import { netns, Rtnl, type RtnlBatch } from "../src/index.js";

type Mode = "request" | "batch";

const argv = process.argv.slice(2);
let modeArg = process.env.NLKIT_MODE ?? "both";
if (argv[0] === "--batch") { modeArg = "batch"; argv.shift(); }
else if (argv[0] === "--mode") { modeArg = argv[1] ?? ""; argv.splice(0, 2); }
const [W, nArg] = argv;
const N = Number(nArg ?? 1000);
const R = Number(process.env.BENCH_R ?? 20);

if (!["request", "batch", "both"].includes(modeArg) || !W || !Number.isInteger(N) || N < 1) {
  console.error("usage: peer.ts [--batch | --mode request|batch|both] W1..W5 N");
  process.exit(2);
}

/** Requests per send in batch mode (the c-batch peer's --batch 256). */
const PER_SEND = 256;
/** Batch mode: vethA<i> gets ifindex IDX_BASE + 2i and vethB<i> the next one (as c-batch). */
const IDX_BASE = 1000;

const now = () => performance.now() / 1000;
/** "batch" while the batch half of mode "both" runs: W3.add is then reported as W3.batch.add. */
let tag = "";
function result(label: string, items: number, seconds: number): void {
  const [w, ...phase] = label.split(".");
  const full = [w, ...(tag ? [tag] : []), ...phase].join(".");
  process.stdout.write(`RESULT ${full} ${items} ${seconds.toFixed(6)}\n`);
}

const ip4 = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;

/** Sends a batch and fails on the first refused request, like the C peer's die(). */
async function sendAll(b: RtnlBatch, pending: Promise<unknown>[]): Promise<void> {
  const out = await b.send();
  if (out.errors.length) throw out.errors[0];
  await Promise.all(pending);
  pending.length = 0;
}

async function w1(mode: Mode): Promise<void> {
  const rt = Rtnl.openSync();
  const t0 = now();
  if (mode === "request") {
    for (let i = 1; i <= N; i++) {
      const a = `vethA${i}`, b = `vethB${i}`;
      await rt.link.add({ name: a, kind: "veth", peer: { name: b } });
      // addr.add looks the device up by name (RTM_GETLINK), as ip does
      await rt.addr.add(a, `${ip4(10, i >> 8, i & 255, 1)}/24`);
      await rt.link.set(a, { up: true });
      await rt.link.set(b, { up: true });
    }
  } else {
    let batch = rt.batch();
    const pending: Promise<unknown>[] = [];
    for (let i = 1; i <= N; i++) {
      const idx = IDX_BASE + 2 * i;
      pending.push(
        batch.link.add({ name: `vethA${i}`, kind: "veth", index: idx, peer: { name: `vethB${i}`, index: idx + 1 } }),
        batch.addr.add(idx, `${ip4(10, i >> 8, i & 255, 1)}/24`),
        batch.link.set(idx, { up: true }),
        batch.link.set(idx + 1, { up: true }),
      );
      if (batch.size >= PER_SEND) { await sendAll(batch, pending); batch = rt.batch(); }
    }
    await sendAll(batch, pending);
  }
  result("W1", N, now() - t0);
  rt.close();
}

// W2 decodes what the contract names (name, ifindex, mtu, operstate), as the C peer does: the
// headline uses list()'s `fields` projection. W2.full then times the same dumps decoded into
// complete Links (every attribute, statistics and af_spec on first read), in the same process.
async function w2(): Promise<void> {
  const rt = Rtnl.openSync();
  let sink = 0;
  const t0 = now();
  for (let r = 0; r < R; r++) {
    const links = await rt.link.list({ fields: ["mtu", "operstate"] });
    if (links.length < 2 * N + 1) throw new Error(`W2: only ${links.length} links`);
    for (const l of links) sink += l.index + (l.mtu ?? 0) + (l.operstate?.length ?? 0) + l.name.length;
  }
  result("W2", R, now() - t0);
  const t1 = now();
  for (let r = 0; r < R; r++) {
    const links = await rt.link.list();
    if (links.length < 2 * N + 1) throw new Error(`W2: only ${links.length} links`);
    for (const l of links) sink += l.index + (l.mtu ?? 0) + (l.operstate?.length ?? 0) + l.name.length;
  }
  result("W2.full", R, now() - t1);
  if (sink === 42) console.error("!");
  rt.close();
}

const routeDst = (i: number) => `${ip4(10, 200, i >> 8, i & 255)}/32`;

async function w3(mode: Mode): Promise<void> {
  const rt = Rtnl.openSync();
  const gateway = "10.199.0.2";
  let sink = 0;
  const t0 = now();
  if (mode === "request") {
    for (let i = 1; i <= N; i++) await rt.route.add({ dst: routeDst(i), gateway });
  } else {
    await batched(rt, N, (b, i) => b.route.add({ dst: routeDst(i), gateway }));
  }
  const t1 = now();
  const routes = await rt.route.list({ family: 4, table: "main" });
  for (const r of routes) sink += r.dst.length + (r.gateway?.length ?? 0) + (r.index ?? 0);
  const t2 = now();
  if (routes.length < N) throw new Error(`W3: dump found ${routes.length} routes < ${N}`);
  if (mode === "request") {
    for (let i = 1; i <= N; i++) await rt.route.del({ dst: routeDst(i) });
  } else {
    await batched(rt, N, (b, i) => b.route.del({ dst: routeDst(i) }));
  }
  const t3 = now();
  result("W3.add", N, t1 - t0);
  result("W3.dump", 1, t2 - t1);
  result("W3.del", N, t3 - t2);
  result("W3", N, t3 - t0);
  if (sink === 42) console.error("!");
  rt.close();
}

/** One verb per item, PER_SEND requests per batch. */
async function batched(rt: Rtnl, n: number, verb: (b: RtnlBatch, i: number) => Promise<unknown>): Promise<void> {
  let batch = rt.batch();
  const pending: Promise<unknown>[] = [];
  for (let i = 1; i <= n; i++) {
    pending.push(verb(batch, i));
    if (batch.size >= PER_SEND) { await sendAll(batch, pending); batch = rt.batch(); }
  }
  await sendAll(batch, pending);
}

async function w4(): Promise<void> {
  const prefix = process.env.BENCH_PREFIX ?? "";
  if (!prefix.startsWith("bench-")) throw new Error("BENCH_PREFIX must start with bench-");
  const t0 = now();
  for (let i = 1; i <= N; i++) await netns.add(`${prefix}${i}`);
  const t1 = now();
  for (let i = 1; i <= N; i++) await netns.del(`${prefix}${i}`);
  const t2 = now();
  result("W4.add", N, t1 - t0);
  result("W4.del", N, t2 - t1);
  result("W4", N, t2 - t0);
}

async function w5(mode: Mode): Promise<void> {
  const ns2 = process.env.BENCH_NS2 ?? "";
  if (!ns2.startsWith("bench-")) throw new Error("W5 needs BENCH_NS2=bench-...");
  const rt = Rtnl.openSync();
  const rt2 = Rtnl.openSync({ netns: ns2 }); // its socket lives in ns2: no switching per request
  const t0 = now();
  if (mode === "request") {
    for (let i = 1; i <= N; i++) {
      const a = `vethA${i}`, b = `vethB${i}`;
      await rt.link.add({ name: a, kind: "veth", peer: { name: b } });
      await rt.link.set(b, { netns: ns2 });
      await rt2.addr.add(b, `${ip4(10, i >> 8, i & 255, 2)}/24`);
      await rt2.link.set(b, { up: true });
      await rt.link.set(a, { up: true });
    }
  } else {
    // two batches per round, one per namespace; vethB<i> is the primary so that its explicit
    // ifindex is known in ns2 (an ifindex survives the move when it is free there)
    const per = Math.max(1, Math.floor(PER_SEND / 3));
    for (let s = 1; s <= N; s += per) {
      const e = Math.min(N, s + per - 1);
      const b1 = rt.batch();
      const p1: Promise<unknown>[] = [];
      for (let i = s; i <= e; i++) {
        const idx = IDX_BASE + 2 * i;
        p1.push(
          b1.link.add({ name: `vethB${i}`, kind: "veth", index: idx, peer: { name: `vethA${i}`, index: idx + 1 } }),
          b1.link.set(idx, { netns: ns2 }),
          b1.link.set(idx + 1, { up: true }),
        );
      }
      await sendAll(b1, p1);
      const b2 = rt2.batch();
      const p2: Promise<unknown>[] = [];
      for (let i = s; i <= e; i++) {
        const idx = IDX_BASE + 2 * i;
        p2.push(b2.addr.add(idx, `${ip4(10, i >> 8, i & 255, 2)}/24`), b2.link.set(idx, { up: true }));
      }
      await sendAll(b2, p2);
    }
  }
  result("W5", N, now() - t0);
  rt2.close();
  rt.close();
}

async function main(): Promise<number> {
  const modes: Mode[] = modeArg === "both" ? ["request", "batch"] : [modeArg as Mode];
  switch (W) {
    case "W1": await w1(modes[0]!); break;
    case "W2": await w2(); break;
    case "W3":
      for (const m of modes) {
        tag = modeArg === "both" && m === "batch" ? "batch" : "";
        await w3(m);
      }
      break;
    case "W4": await w4(); break;
    case "W5": await w5(modes[0]!); break;
    default:
      console.error(`unknown workload ${W}`);
      return 2;
  }
  return 0;
}

main().then((rc) => process.exit(rc), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
