/**
 * Turns one run's results into: the console tables, the targets (met or missed), a Markdown
 * Performance section for the README, and an SVG bar chart drawn here (no network, no library).
 */
import Table from 'cli-table3';

export { svgReport } from './chart.js';
import type { ExitResult } from './exit-detection.js';
import { COMMANDS, RAW_CALLS, type LatencyResult } from './latency.js';
import type { ScaleResult } from './scale.js';
import { SYSTEM_LABELS, SYSTEMS, type System, type ThroughputResult } from './throughput.js';
import type { PoolResult } from './pool.js';
import { floorConsole, floorMarkdown, type AtEight, type FloorResult } from './floor.js';
import { logsConsole, logsMarkdown, type LogsResult } from './logs.js';
import { execConsole, execMarkdown, type ExecResult } from './exec.js';
import { imagesConsole, imagesMarkdown, type ImagesResult } from './images.js';

export interface Environment {
  at: string;
  quick: boolean;
  host: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  runc: string;
  conmon: string;
  podman: string | null;
  /** The bench's private dockerd, when it ran. */
  docker?: string;
  redis: string;
  podmanNetwork: string;
  /** How the worker process ran: compiled with tsc (as deployed) or through tsx. */
  worker: string;
  /** 1-minute load average when the run started and when it ended (other work on the machine skews timings). */
  loadStart: number;
  loadEnd?: number;
  /** The git commit measured (with "+dirty" when src/ had uncommitted changes). */
  commit: string;
}

export interface Results {
  env: Environment;
  seconds: Record<string, number>;
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  scale?: ScaleResult;
  exit?: ExitResult;
  pool?: PoolResult;
  floor?: FloorResult;
  logs?: LogsResult;
  exec?: ExecResult;
  images?: ImagesResult;
  targets?: Target[];
  errors: Record<string, string>;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

/** No colours: the tables also go to files and CI logs. */
const PLAIN = { head: [], border: [] };

const f1 = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(1));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function evaluateTargets(r: Results): Target[] {
  const t: Target[] = [];
  const lat = r.latency;
  if (lat) {
    const rows = COMMANDS.map((c) => ({ c, ...lat.commands[c] }));
    const worst50 = rows.reduce((a, b) => (b.overheadP50 > a.overheadP50 ? b : a));
    const worst99 = rows.reduce((a, b) => (b.overheadP99 > a.overheadP99 ? b : a));
    const over50 = rows.filter((x) => x.overheadP50 >= 3).map((x) => x.c);
    const over99 = rows.filter((x) => x.overheadP99 >= 15).map((x) => x.c);
    t.push({
      name: 'overhead p50',
      goal: '< 3 ms for every command',
      measured: `worst ${f1(worst50.overheadP50)} ms (${worst50.c})${over50.length ? `; missed by ${over50.join(', ')}` : ''}`,
      met: over50.length === 0,
    });
    t.push({
      name: 'overhead p99',
      goal: '< 15 ms for every command',
      measured: `worst ${f1(worst99.overheadP99)} ms (${worst99.c})${over99.length ? `; missed by ${over99.join(', ')}` : ''}`,
      met: over99.length === 0,
    });
  }
  const tp = r.throughput?.table;
  if (tp) {
    const b = tp['berth']?.['8'];
    const ratio = (other: string, factor: number, name: string, goal: string) => {
      const o = tp[other]?.['8'];
      if (b === undefined || o === undefined || !Number.isFinite(b) || !Number.isFinite(o)) return t.push({ name, goal, measured: 'not measured', met: null });
      return t.push({ name, goal, measured: `${f1(b)} vs ${f1(o)} containers/s = ${(b / o).toFixed(2)}×`, met: b >= factor * o });
    };
    ratio('conmon', 0.9, 'throughput vs conmon + runc', '≥ 0.9× at 8 at a time');
    ratio('podman-api', 3, 'throughput vs Podman REST API', '≥ 3× at 8 at a time');
    ratio('podman-cli', 6, 'throughput vs Podman CLI', '≥ 6× at 8 at a time');
  }
  const sc = r.scale;
  if (sc) {
    const first = sc.levels[0]!;
    const last = sc.levels.at(-1)!;
    t.push({
      name: 'scale: cost flat',
      goal: `within 1.2× from 10 to 10,000 containers`,
      measured: `${first.containers} → ${last.containers}: command cycle ${f1(first.cycleP50)} → ${f1(last.cycleP50)} ms (${sc.cycleRatio.toFixed(2)}×), outside runtime calls ${f1(first.outsideP50)} → ${f1(last.outsideP50)} ms (${sc.outsideRatio.toFixed(2)}×)`,
      met: sc.cycleRatio <= 1.2,
    });
    t.push({
      name: 'scale: worker RSS',
      goal: '< 150 MB at 10,000 containers',
      measured: `${mib(last.workerRssBytes)} at ${last.containers}`,
      met: last.containers >= 10_000 ? last.workerRssBytes < 150e6 : null,
    });
  }
  const ex = r.exit;
  if (ex) {
    t.push({ name: 'exit detection p50', goal: '< 50 ms', measured: `${f1(ex.berth.p50)} ms (p99 ${f1(ex.berth.p99)} ms)`, met: ex.berth.p50 < 50 });
  }
  const lg = r.logs;
  if (lg) {
    t.push({ name: 'logs -f latency p99', goal: '< 100 ms from a line written to a following client', measured: `${f1(lg.berth.p99)} ms (p50 ${f1(lg.berth.p50)} ms)`, met: lg.berth.p99 < 100 });
  }
  const xe = r.exec;
  if (xe) {
    const ahead = xe.podman === null ? null : xe.berth.p50 < xe.podman.p50;
    t.push({ name: 'exec p50', goal: "< runc exec's p50 + 5 ms, ahead of podman exec", measured: `${f1(xe.berth.p50)} ms (runc exec ${f1(xe.runc.p50)}, podman exec ${f1(xe.podman?.p50)})`, met: xe.berth.p50 < xe.runc.p50 + 5 && ahead !== false });
    const podOut = xe.throughput.podman;
    t.push({ name: 'exec output', goal: '≥ 100 MB/s, ahead of podman exec', measured: `${f1(xe.throughput.berth)} MB/s (podman exec ${f1(podOut)})`, met: xe.throughput.berth >= 100 && (podOut === null || xe.throughput.berth > podOut) });
  }
  return t;
}

/** The console tables. */
export function consoleReport(r: Results): string {
  const out: string[] = [];
  const e = r.env;
  out.push(`Berth benchmark${e.quick ? ' (quick mode)' : ''}, ${e.at}: ${e.cpu}, ${e.cores} cores, ${e.memoryGiB} GiB, Linux ${e.kernel}`);
  out.push(`runc ${e.runc}, conmon ${e.conmon}, ${e.podman ?? 'podman absent'}, ${e.docker ?? 'docker absent'}, ${e.redis}, Node ${e.node}; commit ${e.commit}; load average ${e.loadStart.toFixed(2)} at start, ${e.loadEnd?.toFixed(2) ?? '?'} at end`);
  if (r.latency) {
    const l = r.latency;
    const dk = l.commands.create.dockerCli !== undefined; // Docker's CLI and Engine API, when it ran
    const t = new Table({
      style: PLAIN,
      head: ['command', 'Berth p50', 'p99', 'runc p50', 'p99', 'Podman p50', 'p99', ...(dk ? ['Docker CLI p50', 'p99', 'Engine API p50', 'p99'] : []), 'overhead p50', 'p99', 'outside runtime p50', 'p99'],
    });
    for (const c of COMMANDS) {
      const x = l.commands[c];
      const d = dk ? [f1(x.dockerCli?.p50), f1(x.dockerCli?.p99), f1(x.dockerApi?.p50), f1(x.dockerApi?.p99)] : [];
      t.push([c, f1(x.berth.p50), f1(x.berth.p99), f1(x.runc?.p50), f1(x.runc?.p99), f1(x.podman?.p50), f1(x.podman?.p99), ...d, f1(x.overheadP50), f1(x.overheadP99), f1(x.outsideRuntime.p50), f1(x.outsideRuntime.p99)]);
    }
    out.push(`\n1. Per-command latency, ms (${l.rounds} rounds; overhead = Berth − runc; "outside runtime" = Berth minus its worker's runtime calls, per sample)`);
    out.push(t.toString());
  }
  if (r.throughput) {
    const tp = r.throughput;
    const t = new Table({ style: PLAIN, head: ['containers/s', ...tp.levels.map((n) => `${n} at a time`)] });
    for (const s of SYSTEMS) if (tp.table[s]) t.push([SYSTEM_LABELS[s], ...tp.levels.map((n) => f1(tp.table[s]![String(n)]))]);
    const cpu = tp.levels.map((n) => tp.runs.find((x) => x.system === 'berth' && x.parallel === n)?.cpuPerContainer);
    if (cpu.some(Boolean)) t.push(['Berth CPU ms/container (worker/client/redis)', ...cpu.map((c) => (c ? `${c.worker.toFixed(0)}/${c.client.toFixed(0)}/${c.redis.toFixed(0)}` : '–'))]);
    out.push(`\n2. Throughput: ${tp.count} containers, full lifecycle (create, start, pause, unpause, kill, wait, rm)`);
    out.push(t.toString());
  }
  if (r.scale) {
    const sc = r.scale;
    const t = new Table({ style: PLAIN, head: ['containers known', 'cycle p50 ms', 'outside runtime ms', 'pause p50', 'stop p50', 'worker RSS', 'after GC', 'heap used', 'Redis used'] });
    for (const lv of sc.levels) {
      t.push([lv.containers, f1(lv.cycleP50), f1(lv.outsideP50), f1(lv.commands.pause.latency.p50), f1(lv.commands.stop.latency.p50), mib(lv.workerRssBytes), mib(lv.workerRssAfterGcBytes), mib(lv.workerHeapUsedBytes), mib(lv.redisUsedBytes)]);
    }
    out.push('\n3. Scale: the seven commands on a fresh container, with N containers known to Berth');
    out.push(t.toString());
    out.push(
      `Redis: ${(sc.redisBytesPerContainer / 1024).toFixed(1)} KiB per container added (its own keys: ${(sc.ownKeysBytes / 1024).toFixed(1)} KiB; the rest is the events stream and kept jobs); worker RSS ${sc.workerBytesPerContainer} B per container added`,
    );
  }
  if (r.exit) {
    const ex = r.exit;
    const t = new Table({ style: PLAIN, head: ['exit → stopped with code, ms', 'p50', 'p99'] });
    t.push(['Berth (client sees stopped, 137)', f1(ex.berth.p50), f1(ex.berth.p99)]);
    t.push(['  of which kill → worker saw exit file', f1(ex.berthExitSeen.p50), f1(ex.berthExitSeen.p99)]);
    t.push(['  of which exit file → client saw stopped', f1(ex.berthAfterSeen.p50), f1(ex.berthAfterSeen.p99)]);
    if (ex.podmanWait) t.push(['podman wait', f1(ex.podmanWait.p50), f1(ex.podmanWait.p99)]);
    out.push(`\n4. Exit detection (${ex.samples} samples)`);
    out.push(t.toString());
  }
  if (r.floor) out.push(floorConsole(r.floor));
  if (r.logs) out.push(logsConsole(r.logs));
  if (r.exec) out.push(execConsole(r.exec));
  if (r.images) out.push(imagesConsole(r.images));
  if (r.targets?.length) {
    const t = new Table({ style: PLAIN, head: ['target', 'goal', 'measured', ''] });
    for (const x of r.targets) t.push([x.name, x.goal, x.measured, x.met === null ? 'n/a' : x.met ? 'met' : 'MISSED']);
    out.push('\nTargets');
    out.push(t.toString());
  }
  for (const [part, err] of Object.entries(r.errors)) out.push(`\n${part} FAILED: ${err}`);
  return out.join('\n');
}

/** The README's Performance section, from this run. */
export function markdownReport(r: Results, command: string): string {
  const e = r.env;
  const md: string[] = ['## Performance', ''];
  md.push(
    `Berth side by side with what users would run instead, on one machine, in one run: the same busybox rootfs (imported as a Podman image), the same runc (${e.runc}) and conmon (${e.conmon}), ${e.podman ?? 'Podman absent'} with \`--runtime runc\`${e.docker ? `, ${e.docker} (Debian's docker.io: dockerd with its own containerd, the same runc, started privately with \`--iptables=false --bridge=none\` and its own data root)` : ''}. Measured ${e.at.slice(0, 10)} on ${e.cpu}, ${e.cores} cores, Linux ${e.kernel}, Node ${e.node}, ${e.redis} (Berth's embedded default: unix socket, AOF on); the worker runs in its own process (${e.worker}). The machine was shared with other work (load average ${e.loadStart.toFixed(1)} at the start, ${e.loadEnd?.toFixed(1) ?? '?'} at the end), so expect ±30 % between runs.${e.quick ? ' **Quick mode** (fewer rounds and containers).' : ''}`,
  );
  md.push('', `Reproduce with \`${command}\` (about ${Math.round((r.seconds['total'] ?? 0) / 60)} min; \`BERTH_BENCH_QUICK=1\` for a 2-minute version). Each run prints these tables and writes \`bench/results/<time>.json\` and the chart \`bench/results/latest.svg\`. Timings are never asserted in tests.`);
  if (r.latency) {
    const l = r.latency;
    md.push(
      '',
      `**Per-command latency**, ms, ${l.rounds} rounds, one container at a time. *runc* is the same runtime calls made directly from Node; *overhead* is Berth − runc (p99 − p99 is noisy at this sample size); *Berth's own* is, per sample, Berth's latency minus the time its worker spent in runtime calls (queue, store, state machine).`,
      '',
    );
    const dk = l.commands.create.dockerCli !== undefined;
    md.push(
      `| command | Berth p50 | Berth p99 | runc p50 | runc p99 | Podman p50 | Podman p99 |${dk ? ' Docker CLI p50 | Docker CLI p99 | Engine API p50 | Engine API p99 |' : ''} overhead p50 | overhead p99 | Berth's own p50 | Berth's own p99 |`,
      `|---|${'---:|'.repeat(dk ? 14 : 10)}`,
    );
    for (const c of COMMANDS) {
      const x = l.commands[c];
      const d = dk ? ` ${f1(x.dockerCli?.p50)} | ${f1(x.dockerCli?.p99)} | ${f1(x.dockerApi?.p50)} | ${f1(x.dockerApi?.p99)} |` : '';
      md.push(
        `| ${c === 'stop' ? 'stop -t 0' : c} | ${f1(x.berth.p50)} | ${f1(x.berth.p99)} | ${f1(x.runc?.p50)} | ${f1(x.runc?.p99)} | ${f1(x.podman?.p50)} | ${f1(x.podman?.p99)} |${d} ${f1(x.overheadP50)} | ${f1(x.overheadP99)} | ${f1(x.outsideRuntime.p50)} | ${f1(x.outsideRuntime.p99)} |`,
      );
    }
    md.push('', `runc baseline per command: ${COMMANDS.map((c) => `${c}: ${RAW_CALLS[c]}`).join('; ')}.`);
  }
  if (r.throughput) {
    const tp = r.throughput;
    md.push('', `**Throughput**, containers per second: ${tp.count} containers through create, start, pause, unpause, kill, wait and rm, N at a time.`, '');
    md.push(`| | ${tp.levels.map((n) => `${n} at a time`).join(' | ')} |`, `|---|${tp.levels.map(() => '---:').join('|')}|`);
    for (const s of SYSTEMS) if (tp.table[s]) md.push(`| ${SYSTEM_LABELS[s]} | ${tp.levels.map((n) => f1(tp.table[s]![String(n)])).join(' | ')} |`);
    const cpu = tp.levels.map((n) => tp.runs.find((x) => x.system === 'berth' && x.parallel === n)?.cpuPerContainer);
    if (cpu.some(Boolean)) md.push(`| *Berth's CPU per container, ms: worker / client / Redis* | ${cpu.map((c) => (c ? `${c.worker.toFixed(0)} / ${c.client.toFixed(0)} / ${c.redis.toFixed(0)}` : '–')).join(' | ')} |`);
  }
  if (r.scale) {
    const sc = r.scale;
    md.push('', '**Scale**: the seven commands on a fresh container while Berth knows N containers (a few running), and memory.', '');
    md.push('| containers | command cycle p50, ms | of which outside runtime calls | worker RSS | after a GC | V8 heap used | Redis used |', '|---:|---:|---:|---:|---:|---:|---:|');
    for (const lv of sc.levels) md.push(`| ${lv.containers.toLocaleString('en')} | ${f1(lv.cycleP50)} | ${f1(lv.outsideP50)} | ${mib(lv.workerRssBytes)} | ${mib(lv.workerRssAfterGcBytes)} | ${mib(lv.workerHeapUsedBytes)} | ${mib(lv.redisUsedBytes)} |`);
    md.push('', `Redis grows by ${(sc.redisBytesPerContainer / 1024).toFixed(1)} KiB per container (its own keys ${(sc.ownKeysBytes / 1024).toFixed(1)} KiB; the rest is the bounded events stream and kept job results).`);
  }
  if (r.exit) {
    const ex = r.exit;
    md.push('', `**Exit detection**, from SIGKILL of the container's process to the exit code being known, ms: Berth (a client sees \`stopped\`, 137) p50 ${f1(ex.berth.p50)}, p99 ${f1(ex.berth.p99)}; \`podman wait\` p50 ${f1(ex.podmanWait?.p50)}, p99 ${f1(ex.podmanWait?.p99)}.`);
  }
  if (r.floor) {
    const tp = r.throughput;
    const b = tp?.runs.find((x) => x.system === 'berth' && x.parallel === 8 && !x.error);
    const own = b?.cpuPerContainer;
    const at8: AtEight = {
      cores: r.env.cores,
      ...(tp?.table['conmon']?.['8'] === undefined ? {} : { conmon: tp.table['conmon']['8'] }),
      ...(tp?.table['podman-api']?.['8'] === undefined ? {} : { rest: tp.table['podman-api']['8'] }),
      ...(b && own && b.machine ? { berth: { perSecond: b.perSecond, own: own.worker + own.client + own.redis, machine: b.machine.cpuPerContainer, busy: b.machine.busy } } : {}),
    };
    md.push('', floorMarkdown(r.floor, at8));
  }
  if (r.logs) md.push('', logsMarkdown(r.logs));
  if (r.exec) md.push('', execMarkdown(r.exec));
  if (r.images) md.push('', imagesMarkdown(r.images));
  if (r.targets?.length) {
    md.push('', '| target | goal | measured | |', '|---|---|---|---|');
    for (const x of r.targets) md.push(`| ${x.name} | ${x.goal} | ${x.measured} | ${x.met === null ? 'n/a' : x.met ? 'met' : '**missed**'} |`);
  }
  md.push('');
  return md.join('\n');
}
