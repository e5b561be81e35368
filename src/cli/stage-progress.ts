import cliProgress from 'cli-progress';

/**
 * A progress bar per batch stage on a terminal (stderr): `decide:2024-12-13 [████░░] 120/450
 * chunks`. Stages that run side by side (the programs' payment lines) each keep a bar of their
 * own. Returns undefined when stderr is not a terminal (cron, pipes), where the JSON summary
 * with seconds per stage is the record.
 */
export function stageProgress(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return undefined;
  const bars = new cliProgress.MultiBar(
    { stream, format: '{stage} [{bar}] {value}/{total} chunks {duration_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const byStage = new Map<string, cliProgress.SingleBar>();
  return {
    update(stage: string, done: number, total: number) {
      const bar = byStage.get(stage);
      if (bar) bar.update(done);
      else byStage.set(stage, bars.create(total, done, { stage: stage.padEnd(40) }));
    },
    stop() {
      bars.stop();
    },
  };
}
