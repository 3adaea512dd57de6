// ss's table: every row is one cell per column, and the layout is computed from all of them at
// the end, the way ss's render() does it: a column is as wide as its widest cell (header
// included) plus its left delimiter; right-aligned columns pad on the left. On a terminal the
// spare width is spread over the columns; elsewhere (a pipe, a file) nothing is added.

export const Col = { Netid: 0, State: 1, RecvQ: 2, SendQ: 3, Addr: 4, Serv: 5, RAddr: 6, RServ: 7, Ext: 8, Proc: 9 } as const;
export type Col = (typeof Col)[keyof typeof Col];

interface Column {
  header: string;
  ldelim: string;
  right: boolean;
}

const COLUMNS: readonly Column[] = [
  { header: "Netid", ldelim: "", right: false },
  { header: "State", ldelim: " ", right: false },
  { header: "Recv-Q", ldelim: " ", right: false },
  { header: "Send-Q", ldelim: " ", right: false },
  { header: "Local Address:", ldelim: " ", right: true },
  { header: "Port", ldelim: "", right: false },
  { header: "Peer Address:", ldelim: " ", right: true },
  { header: "Port", ldelim: "", right: false },
  { header: "Process", ldelim: "", right: false },
  { header: "", ldelim: "", right: false },
];

export class SsTable {
  private readonly rows: string[][] = [];
  private readonly enabled: boolean[];

  /** `hidden`: columns ss disables (Netid with one socket table, State with one state). */
  constructor(hidden: readonly Col[]) {
    this.enabled = COLUMNS.map((_, i) => !hidden.includes(i as Col));
  }

  header(): void {
    this.rows.push(COLUMNS.map((c) => c.header));
  }

  /** One socket's cells, by column (missing ones are empty). */
  row(cells: Partial<Record<Col, string>>): void {
    this.rows.push(COLUMNS.map((_, i) => cells[i as Col] ?? ""));
  }

  get empty(): boolean {
    return this.rows.length === 0;
  }

  /** The text, with `screenWidth` the terminal's columns (undefined when not a terminal). */
  render(screenWidth?: number): string {
    const widths = this.widths(screenWidth);
    let out = "";
    for (const cells of this.rows) {
      let started = false;
      for (let i = 0; i < COLUMNS.length; i++) {
        if (!this.enabled[i]) continue;
        const c = COLUMNS[i]!;
        const text = cells[i]!;
        let printed = 0;
        if (started) {
          out += c.ldelim;
          printed = c.ldelim.length;
        }
        started = true;
        const w = widths[i]!;
        if (w && c.right) {
          const pad = w - text.length - printed;
          if (pad > 0) { out += " ".repeat(pad); printed += pad; }
        }
        out += text;
        printed += text.length;
        if (w && !c.right && w - printed > 0) out += " ".repeat(w - printed);
      }
      out += "\n";
    }
    return out;
  }

  private widths(screenWidth: number | undefined): number[] {
    const widths = COLUMNS.map(() => 0);
    let first = true;
    // ss measures a cell when it moves past it, and it never moves past the last row's details
    const last = this.rows.length - 1;
    COLUMNS.forEach((c, i) => {
      if (!this.enabled[i]) return;
      const max = Math.max(0, ...this.rows.map((r, n) => (n === last && i >= Col.Ext ? 0 : r[i]!.length)));
      widths[i] = !first && max ? max + c.ldelim.length : max;
      if (screenWidth !== undefined) widths[i] = Math.min(widths[i]!, screenWidth);
      if (widths[i]) first = false;
    });
    if (screenWidth !== undefined) spread(widths, screenWidth);
    return widths;
  }
}

/**
 * ss's second pass on a terminal: columns that do not fit wrap to the next line, and each
 * line's leftover width is shared out among its columns, the remainder going to the last ones.
 */
function spread(widths: number[], screen: number): void {
  let len = 0, linecols = 0, eol = -1;
  for (let c = 0; c < widths.length; c++) {
    if (!widths[c]) continue;
    linecols++;
    len += widths[c]!;
    const last = !widths.slice(c + 1).some((w) => w > 0);
    if (!last && len < screen) continue;
    if (len !== screen) {
      if (len > screen) {
        len -= widths[c]!;
        c--;
        linecols--;
      }
      const pad = screen - len;
      const spacing = Math.floor(pad / linecols);
      let rem = pad % linecols;
      for (let t = c; t > eol; t--) {
        if (!widths[t]) continue;
        widths[t]! += spacing;
        if (rem) { widths[t]!++; rem--; }
      }
    }
    eol = c;
    len = 0;
    linecols = 0;
  }
}

/** C's printf %g with `precision` significant digits (what ss uses for rtt, rto, gains...). */
export function fmtG(v: number, precision = 6): string {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
  const p = precision === 0 ? 1 : precision;
  const [mant, exp] = v.toExponential(p - 1).split("e") as [string, string];
  const x = Number(exp);
  if (x < -4 || x >= p) {
    const m = stripZeros(mant);
    return `${m}e${x < 0 ? "-" : "+"}${String(Math.abs(x)).padStart(2, "0")}`;
  }
  return stripZeros(v.toFixed(p - 1 - x));
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
