import cliProgress from 'cli-progress';

/**
 * A progress bar per batch stage on a terminal (stderr): `decide:2024-12-13 [████░░] 120/450
 * chunks`. Returns undefined when stderr is not a terminal (cron, pipes), where the JSON
 * summary with seconds per stage is the record.
 */
export function stageProgress(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  return {
    update(stage: string, done: number, total: number) {
      if (stage !== current) {
        bar?.stop();
        current = stage;
        bar = new cliProgress.SingleBar(
          { stream, format: `${stage.padEnd(40)} [{bar}] {value}/{total} chunks {duration_formatted}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar!.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
