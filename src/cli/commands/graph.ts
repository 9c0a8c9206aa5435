/**
 * graph: the container statechart as Mermaid, generated from the machine definition.
 */
import type { Command } from 'commander';
import { containerMachine } from '../../machines/index.js';
import type { Invocation } from '../context.js';
import { mermaidOf } from '../graph.js';

export function registerGraph(program: Command, inv: Invocation): void {
  program
    .command('graph')
    .summary('Print the container statechart as Mermaid')
    .description('Print the container statechart as a Mermaid stateDiagram-v2, generated from the machine definition itself.')
    .action(() => {
      inv.print(mermaidOf(containerMachine));
    });
}
