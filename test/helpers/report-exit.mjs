// Runs a command on this terminal (stdio inherited) and, once it exits, writes its exit status
// ("<code>\n", 128+N for signal N) to the unix socket given first. tmux (3.3a) at times leaves a
// pane's exited process unreaped, so a test learns the status from here, not from the pane.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { constants } from 'node:os';

const [socket, command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => {
  const status = code ?? 128 + (constants.signals[signal] ?? 0);
  const c = connect(socket, () => c.end(`${status}\n`));
  c.on('close', () => process.exit(0));
});
