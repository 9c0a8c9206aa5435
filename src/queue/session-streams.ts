/**
 * The exec sessions' streams as the output shipper sees them: its sources are named
 * `<container>/<session>` (the exec logs' names, oci/exec-exit-monitor.ts execLogFiles), each
 * shipped to `keys.source(container, session).output` through the same appendOutput script
 * (fenced by the container's record: a removed container's sessions ship nothing more).
 */
import { parseSource } from '../oci/exec-exit-monitor.js';
import type { AppendArgs, AppendOutcome, SourceStreams, StreamPosition } from '../store/streams.js';
import type { ShipperStreams } from './output-shipper.js';

export class SessionStreams implements ShipperStreams {
  constructor(private readonly streams: SourceStreams) {}

  position(source: string): Promise<StreamPosition> {
    const s = parseSource(source);
    if (!s) return Promise.reject(new Error(`not an exec session's source: ${source}`));
    return this.streams.position(s.id, s.session);
  }

  append(a: AppendArgs): Promise<AppendOutcome> {
    const s = parseSource(a.id);
    if (!s) return Promise.reject(new Error(`not an exec session's source: ${a.id}`));
    return this.streams.append({ ...a, id: s.id, session: s.session });
  }
}
