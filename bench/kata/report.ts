/**
 * What every kata (and every experiment file) produces: one document that the terminal, the CSV
 * files, the HTML report and `--json` all render from. A kata computes it; nothing downstream
 * computes numbers of its own, so every output shows the same figures.
 *
 * Plain JSON all the way down (no bigints, no Maps, no undefined), so that `--json` is
 * `JSON.stringify` of it and the same seed gives the same bytes.
 */

/** A cell: a number (rendered with the column's format), a string, or null for "not applicable". */
export type Cell = number | string | null;

export type CellFormat =
  /** An integer count with thousands separators. */
  | 'count'
  /** A fraction in [0, 1] shown as a percentage. */
  | 'percent'
  /** Milliseconds of virtual time. */
  | 'ms'
  /** Bytes, shown with a binary unit. */
  | 'bytes'
  /** A ratio such as max/mean, three decimals. */
  | 'ratio'
  /** Any other number, up to three decimals. */
  | 'number'
  | 'text';

export interface TableColumn {
  /** The key of the cell in each row. */
  readonly key: string;
  /** The header, short. */
  readonly label: string;
  readonly format: CellFormat;
}

export interface ReportTable {
  /** A file-name-safe id: the CSV file is `<id>.csv`. */
  readonly id: string;
  readonly title: string;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly Readonly<Record<string, Cell>>[];
}

/** One bar group per category (a node), one bar per series (a design). */
export interface BarChart {
  readonly kind: 'bars';
  readonly id: string;
  readonly title: string;
  /** What the values count, for the axis: "rows", "MiB", "ms". */
  readonly unit: string;
  /** The categories along the axis, in order (node names, read kinds). */
  readonly categories: readonly string[];
  readonly series: readonly {
    readonly label: string;
    /** One per category, same order; null where the category does not apply. */
    readonly values: readonly (number | null)[];
  }[];
}

/** Lines over a numeric x axis: latency over time, p95 against batch size. */
export interface LineChart {
  readonly kind: 'lines';
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Draw the y axis on a log scale (latencies spanning 0.5 ms to 10 s). */
  readonly logY?: boolean;
  readonly series: readonly {
    readonly label: string;
    /** [x, y] points in increasing x. */
    readonly points: readonly (readonly [number, number])[];
  }[];
}

/** A latency distribution per series: the percentiles a reader compares. */
export interface DistributionChart {
  readonly kind: 'distribution';
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly {
    readonly label: string;
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  }[];
}

/** Ownership of the token ring: arcs as fractions of the ring, each owned by a node. */
export interface RingChart {
  readonly kind: 'ring';
  readonly id: string;
  readonly title: string;
  readonly nodes: readonly string[];
  /** Arcs in ring order; `start` and `end` are fractions of the ring in [0, 1]. */
  readonly arcs: readonly { readonly start: number; readonly end: number; readonly node: number }[];
}

export type ReportChart = BarChart | LineChart | DistributionChart | RingChart;

/** A conclusion computed from the numbers, with the numbers it rests on. */
export interface Finding {
  /** Stable, so tests and scripts can pick one: `index-fanout`. */
  readonly id: string;
  readonly text: string;
  readonly numbers: Readonly<Record<string, number>>;
}

export interface KataReport {
  /** The kata's name, or `experiment` for a file that names none. */
  readonly kata: string;
  readonly title: string;
  /** The question the run answers, one sentence. */
  readonly question: string;
  readonly seed: number;
  /** The resolved experiment, as `--export` prints it: running it again gives this report. */
  readonly experiment: unknown;
  /** Every design's metrics, flat, keyed as in the tables. */
  readonly designs: readonly {
    readonly name: string;
    readonly metrics: Readonly<Record<string, Cell>>;
  }[];
  /** The first table is the side-by-side comparison of the designs. */
  readonly tables: readonly ReportTable[];
  readonly charts: readonly ReportChart[];
  readonly findings: readonly Finding[];
  /** Exit status: a checker found a violation in the run (exit code 1). */
  readonly violations: number;
  /**
   * A sweep's points (`--sweep`), in grid order: each point's swept values, keyed as the sweep
   * names them, and the full report of the experiment run there. Absent for a single run.
   */
  readonly points?: readonly {
    readonly values: Readonly<Record<string, number | string>>;
    readonly report: KataReport;
  }[];
  /**
   * Present when a signal stopped the run before its end: the report holds what was done (a
   * sweep's points finished by then) and says so in its first finding.
   */
  readonly partial?: {
    readonly signal: string;
    readonly points: number;
    readonly of: number;
  };
}
