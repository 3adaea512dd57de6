import { checkOptions, defineQdisc } from "../kind.js";

// Qdiscs without options: tc sends their kind alone and refuses any option.

function plain(kind: string) {
  return defineQdisc({
    kind,
    encode(o: unknown) {
      checkOptions(o, [], kind);
      return undefined;
    },
    view: () => ({}),
  });
}

export const mq = plain("mq");
export const ingress = plain("ingress");
export const clsact = plain("clsact");
