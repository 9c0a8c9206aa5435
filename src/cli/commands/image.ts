/**
 * `berth image load|import|ls|inspect|rm|tag` and `berth pull`, as Podman's: jobs on the nodes'
 * image queues for what changes a node's images (progress on stderr: "Copying blob …"), the
 * nodes' image indexes for ls and inspect; every row says its node.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { listJson, inspectJson, repoTag } from '../../images/podman-json.js';
import type { Invocation } from '../context.js';
import { collect, parseFormat } from '../flags.js';
import { formatAgo, formatColumns, formatJson, shortId } from '../output.js';

const human = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(3)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(3)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(3)} kB` : `${n} B`);
const nodesOf = (v: string[] | undefined) => (v && v.length > 0 ? { node: v } : {});

export function registerImage(program: Command, inv: Invocation): void {
  const progress = (line: string, node: string) => inv.io.err(`[${node}] ${line}`);
  program
    .command('pull')
    .summary('Pull an image from a registry')
    .description('Pulls REF (OCI distribution API) to every live node, or to each --node.')
    .argument('<ref>')
    .option('--node <node>', 'a node to pull to (repeatable; default every live node)', collect)
    .option('--creds <user:pass>', 'basic credentials for the registry')
    .option('--tls-verify [bool]', 'https with verified certificates (false: plain http)', 'true')
    .option('-q, --quiet', 'no progress')
    .action(async (ref: string, o: { node?: string[]; creds?: string; tlsVerify: string | boolean; quiet?: boolean }, self: Command) => {
      try {
        const images = await inv.withClient(self, (c) =>
          c.images.pull(ref, { ...nodesOf(o.node), tlsVerify: String(o.tlsVerify) !== 'false', ...(o.creds ? { creds: o.creds } : {}), ...(o.quiet ? {} : { onProgress: progress }) }),
        );
        for (const id of new Set(images.map((i) => i.id))) inv.print(id);
      } catch (err) {
        inv.fail(err, { command: 'pull' });
      }
    });
  const image = program.command('image').summary('Manage images').description('Manage the images on the nodes.');
  image
    .command('load')
    .summary('Load an image from an OCI or docker archive')
    .requiredOption('-i, --input <file>', 'the archive (a path on the node)')
    .option('--node <node>', 'the node (repeatable; default the first live node that can read the file)', collect)
    .option('-q, --quiet', 'no progress')
    .action(async (o: { input: string; node?: string[]; quiet?: boolean }, self: Command) => {
      try {
        const images = await inv.withClient(self, (c) => c.images.load(resolve(o.input), { ...nodesOf(o.node), ...(o.quiet ? {} : { onProgress: progress }) }));
        for (const i of images) inv.print(`Loaded image: ${i.names[0] ?? i.id}`);
      } catch (err) {
        inv.fail(err, { command: 'image load' });
      }
    });
  image
    .command('import')
    .summary('Import a root filesystem tarball as an image')
    .argument('<tarball>')
    .argument('<name>', 'NAME[:TAG] (localhost/ by default)')
    .option('--node <node>', 'the node (repeatable; default the first live node that can read the file)', collect)
    .action(async (file: string, name: string, o: { node?: string[] }, self: Command) => {
      try {
        inv.print((await inv.withClient(self, (c) => c.images.import(resolve(file), name, nodesOf(o.node)))).id);
      } catch (err) {
        inv.fail(err, { command: 'image import' });
      }
    });
  image
    .command('ls')
    .alias('list')
    .summary('List images')
    .option('--node <node>', 'only this node (repeatable)', collect)
    .option('--format <format>', 'table or json', 'table')
    .action(async (o: { node?: string[]; format: string }, self: Command) => {
      try {
        const format = parseFormat(o.format, ['table', 'json'] as const);
        const images = await inv.withClient(self, (c) => c.images.list(nodesOf(o.node)));
        if (format === 'json') return inv.print(formatJson(images.map(listJson)));
        const now = Date.now();
        const rows = images.flatMap((i) => (i.names.length ? i.names : ['<none>:<none>']).map((n) => [...repoTag(n), shortId(i.id), formatAgo(i.created, now), human(i.size), i.node]));
        inv.print(formatColumns(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'NODE'], rows));
      } catch (err) {
        inv.fail(err, { command: 'image ls' });
      }
    });
  image
    .command('inspect')
    .summary('Show images in detail')
    .argument('<refs...>')
    .option('--node <node>', 'only this node (repeatable)', collect)
    .option('-f, --format <format>', 'json', 'json')
    .action(async (refs: string[], o: { node?: string[]; format: string }, self: Command) => {
      try {
        parseFormat(o.format, ['json'] as const);
        const found = await inv.withClient(self, async (c) => (await Promise.all(refs.map((r) => c.images.inspect(r, nodesOf(o.node))))).flat());
        inv.print(formatJson(found.map(inspectJson)));
      } catch (err) {
        inv.fail(err, { command: 'image inspect' });
      }
    });
  image
    .command('rm')
    .alias('remove')
    .summary('Remove images')
    .argument('<refs...>')
    .option('-f, --force', 'remove even when containers use it')
    .option('--node <node>', 'only on this node (repeatable)', collect)
    .action(async (refs: string[], o: { force?: boolean; node?: string[] }, self: Command) => {
      await inv
        .withClient(self, async (c) => {
          for (const ref of refs) {
            try {
              const gone = await c.images.remove(ref, { ...nodesOf(o.node), ...(o.force ? { force: true } : {}) });
              for (const id of new Set(gone.map((g) => g.id))) inv.print(`Deleted: ${id}`);
            } catch (err) {
              inv.fail(err, { command: 'image rm' });
            }
          }
        })
        .catch((err: unknown) => inv.fail(err, { command: 'image rm' }));
    });
  image
    .command('tag')
    .summary('Add a name to an image')
    .argument('<ref>')
    .argument('<names...>', 'NAME[:TAG] (localhost/ by default)')
    .option('--node <node>', 'only on this node (repeatable)', collect)
    .action(async (ref: string, names: string[], o: { node?: string[] }, self: Command) => {
      try {
        await inv.withClient(self, async (c) => {
          for (const n of names) await c.images.tag(ref, n, nodesOf(o.node));
        });
      } catch (err) {
        inv.fail(err, { command: 'image tag' });
      }
    });
}
