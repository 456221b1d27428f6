/** A JSON body of about 1 KiB once serialized, the size every benchmark here uses. */
const TEXT = 'x'.repeat(950);

export function kibibyteBody(sequence: number): { sequence: number; kind: string; sentAt: number; text: string } {
  return { sequence, kind: 'bench.message', sentAt: Date.now(), text: TEXT };
}

export interface BenchRow {
  scenario: string;
  subject: string;
  messages: number;
  msgsPerSecond: number;
  note?: string;
}

export function printRows(
  title: string,
  rows: BenchRow[],
  ratios: Array<{ label: string; warren: string; baseline: string }>,
): void {
  console.log(`\n${title}`);
  for (const row of rows) {
    console.log(
      `  ${row.scenario.padEnd(34)} ${row.subject.padEnd(10)} ${Math.round(row.msgsPerSecond).toLocaleString('en-US').padStart(10)} msgs/s  (${row.messages} msgs)${row.note ? `  ${row.note}` : ''}`,
    );
  }
  for (const ratio of ratios) {
    const w = rows.find((r) => r.scenario === ratio.warren);
    const b = rows.find((r) => r.scenario === ratio.baseline);
    if (w && b) console.log(`  ratio ${ratio.label}: ${(w.msgsPerSecond / b.msgsPerSecond).toFixed(2)}`);
  }
}
