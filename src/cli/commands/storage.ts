/**
 * The storage verbs (issue 11), each answered by the container's node through the queue:
 * `mount NAME...` prints each root's path (an image container's overlay is mounted when needed and
 * the mount counted), `unmount|umount NAME...` drops one (refused while running or paused or with
 * exec sessions, as the seed), `export NAME [-o FILE]` (a tar of its root), and `artifact add|get|rm|ls NAME [KEY] [FILE]`: small files kept
 * with the container (`get` writes the bytes to stdout, or FILE; `add` reads FILE, or stdin).
 */
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import type { BerthClient } from '../../queue/client.js';
import type { Invocation } from '../context.js';
import { formatJson } from '../output.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Runs `fn` for each target, each failure reported on its own line (Podman's multi-target verbs). */
function eachTarget(inv: Invocation, verb: string, fn: (client: BerthClient, target: string) => Promise<void>) {
  return async (targets: string[], _opts: unknown, self: Command) => {
    try {
      await inv.withClient(self, async (client) => {
        for (const t of targets) await fn(client, t).catch((err: unknown) => inv.fail(err, { command: verb, container: t }));
      });
    } catch (err) {
      inv.fail(err, { command: verb, container: targets.join(' ') });
    }
  };
}

export function registerStorage(program: Command, inv: Invocation): void {
  program
    .command('mount')
    .summary("Mount a container's root filesystem")
    .description("Mount each container's root filesystem on its node (an image container's overlay, when it is not mounted) and print its path there.")
    .argument('<containers...>', 'container names or Ids')
    .action(eachTarget(inv, 'mount', async (client, t) => inv.print(await client.storage.mount(t))));

  program
    .command('unmount')
    .alias('umount')
    .summary("Unmount a container's root filesystem")
    .description('Drop a mount of each container\'s root filesystem; refused while it runs or is paused or has exec sessions. The last mount unmounts it.')
    .argument('<containers...>', 'container names or Ids')
    .option('-f, --force', 'unmount even when the count says it is still in use')
    .action(async (targets: string[], opts: { force?: boolean }, self: Command) =>
      eachTarget(inv, 'unmount', async (client, t) => {
        await client.storage.unmount(t, opts.force ? { force: true } : {});
        inv.print(t);
      })(targets, opts, self),
    );

  program
    .command('export')
    .summary("Export a container's root filesystem as a tar archive")
    .description("Write a tar of the container's root filesystem, made on its node and streamed here, to stdout (not a terminal) or to -o FILE.")
    .argument('<container>', 'container name or Id')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (target: string, opts: { output?: string }, self: Command) => {
      try {
        if (opts.output === undefined && process.stdout.isTTY) throw new BerthError('EINVAL', 'refusing to export to terminal. Use -o flag or redirect');
        await inv.withClient(self, async (client) => {
          const tar = await client.storage.export(target);
          if (opts.output !== undefined) await pipeline(tar, createWriteStream(opts.output));
          else for await (const chunk of tar) await inv.io.write('out', chunk as Buffer);
        });
      } catch (err) {
        inv.fail(err, { command: 'export', container: target });
      }
    });

  const artifact = program.command('artifact').summary('Small files kept with a container').description('Add, get, list and remove small files kept with a container (1 MiB each by default, the node\'s `--artifact-max-bytes`); they go when it is removed.');
  artifact
    .command('add')
    .description('keep FILE (or stdin) with the container under KEY')
    .argument('<container>')
    .argument('<key>')
    .argument('[file]')
    .action(async (target: string, key: string, file: string | undefined, _o: unknown, self: Command) => {
      try {
        const data = file === undefined ? await readStdin() : await readFile(file);
        await inv.withClient(self, (client) => client.storage.addArtifact(target, key, data));
      } catch (err) {
        inv.fail(err, { command: 'artifact add', container: target });
      }
    });
  artifact
    .command('get')
    .description('write the artifact KEY to stdout, or to FILE')
    .argument('<container>')
    .argument('<key>')
    .argument('[file]')
    .action(async (target: string, key: string, file: string | undefined, _o: unknown, self: Command) => {
      try {
        const data = await inv.withClient(self, (client) => client.storage.getArtifact(target, key));
        if (file === undefined) await inv.io.write('out', data);
        else await writeFile(file, data);
      } catch (err) {
        inv.fail(err, { command: 'artifact get', container: target });
      }
    });
  artifact
    .command('rm')
    .description('remove the artifact KEY')
    .argument('<container>')
    .argument('<key>')
    .action(async (target: string, key: string, _o: unknown, self: Command) => {
      try {
        await inv.withClient(self, (client) => client.storage.removeArtifact(target, key));
      } catch (err) {
        inv.fail(err, { command: 'artifact rm', container: target });
      }
    });
  artifact
    .command('ls')
    .description("list the container's artifacts: KEY and SIZE, or JSON")
    .argument('<container>')
    .option('--format <format>', 'table (default) or json', 'table')
    .action(async (target: string, opts: { format: string }, self: Command) => {
      try {
        if (opts.format !== 'table' && opts.format !== 'json') throw new BerthError('EINVAL', `\`--format\` is table or json, got "${opts.format}"`);
        const list = await inv.withClient(self, (client) => client.storage.listArtifacts(target));
        if (opts.format === 'json') inv.print(formatJson(list));
        else for (const line of ['KEY SIZE', ...list.map((a) => `${a.key} ${a.size}`)]) inv.print(line);
      } catch (err) {
        inv.fail(err, { command: 'artifact ls', container: target });
      }
    });
}
