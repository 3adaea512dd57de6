// Dumps that other plugins' concurrent changes interrupt (NLM_F_DUMP_INTR), retried until one is
// consistent: twenty ADDs at once keep a host's links and addresses changing for a while.
import { DumpInterruptedError } from "./deps.js";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function settled<T>(read: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (e) {
      if (!(e instanceof DumpInterruptedError) || i >= attempts) throw e;
      await sleep(Math.random() * 4 * i);
    }
  }
}
