/**
 * A client as another thread can make it again (see `DocSpaceClient.forThread`): its options
 * without functions, and where the copy's diagnostics and wait notices go on this thread.
 */
import type { ClientOptions } from './client.js';
import type { WaitNotice } from './send.js';

/** A client's options without its functions: what can be posted to a worker thread. */
export type ThreadClientOptions = Omit<ClientOptions, 'send' | 'sleep' | 'now' | 'random' | 'onDebug' | 'onWait'>;

export interface ThreadClient {
  options: ThreadClientOptions;
  onDebug?: (line: string) => void;
  onWait?: (notice: WaitNotice) => void;
}
