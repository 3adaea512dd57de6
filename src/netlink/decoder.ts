// The contract between the socket engine and message decoders (pure: no I/O here).

/**
 * Turns one reply message, still inside the receive buffer, into a value. Must copy what it
 * keeps, unless it is marked `retainsBuffer` (see retainingDecoder). `start` is the offset of the
 * message's nlmsghdr in `buf`, `len` its nlmsg_len.
 *
 * @example
 * ```ts
 * // the ifindex of each RTM_NEWLINK: ifinfomsg.ifi_index, 4 bytes into the payload
 * const ifindex: Decoder<number> = (buf, start) => buf.readInt32LE(start + 16 + 4);
 * const indexes = await rt.socket.dump({ type: 18, encode: (w) => w.zeros(16) }, ifindex);   // [1, 2, ...]
 * ```
 */
export type Decoder<T> = ((buf: Buffer, start: number, len: number) => T) & {
  /** True when the decoder keeps references into `buf` (set by retainingDecoder): it then gets a private copy of each datagram. */
  readonly retainsBuffer?: boolean;
};

/**
 * Marks a decoder that keeps references into the bytes it is given (say, parts it decodes only
 * when first read). It is then handed a private copy of each datagram instead of the receive
 * buffer, one copy shared by all the messages of that datagram, at the same offsets: cheaper than
 * a copy per message, at the price that a value kept alive keeps its datagram (up to ~32 KiB)
 * alive.
 *
 * @example
 * ```ts
 * // each link's RTM_NEWLINK message as raw bytes, kept without a copy per message
 * const raw = await rt.socket.dump({ type: 18, encode: (w) => w.zeros(16) },   // RTM_GETLINK, an empty ifinfomsg
 *   retainingDecoder((buf, start, len) => buf.subarray(start, start + len)));
 * ```
 */
export function retainingDecoder<T>(decode: (buf: Buffer, start: number, len: number) => T): Decoder<T> {
  return Object.assign((buf: Buffer, start: number, len: number) => decode(buf, start, len), { retainsBuffer: true as const });
}
