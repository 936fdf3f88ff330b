import { FeedFormatError, ParsedFeed, PlansFeedParser } from './plans-feed.parser';
import { CpuContext, HandlerError } from '@conveyor/tasks/cpu';

export interface PlansParseJob {
  url: string;
  timeoutMs: number;
}

/**
 * Runs in a pool thread: streams the provider's answer into the parser, so neither this thread
 * nor the event loop ever holds the document or its parsed tree, only the normalised plans.
 */
export async function plansParse(job: PlansParseJob, ctx: CpuContext): Promise<ParsedFeed> {
  let res: Response;
  const signal = AbortSignal.timeout(job.timeoutMs);
  try {
    res = await fetch(job.url, { signal });
    if (!res.ok || !res.body) {
      throw new HandlerError(`plans provider answered HTTP ${res.status}`, 'PROVIDER_ERROR', false);
    }
    const parser = new PlansFeedParser();
    const decoder = new TextDecoder();
    for await (const bytes of res.body) {
      ctx.throwIfCancelled();
      parser.write(decoder.decode(bytes as Uint8Array, { stream: true }));
    }
    parser.write(decoder.decode());
    return parser.end();
  } catch (err) {
    if (err instanceof HandlerError) throw err;
    if (err instanceof FeedFormatError) throw new HandlerError(err.message, 'FEED_REJECTED', false);
    if (signal.aborted) {
      throw new HandlerError(
        `plans provider did not answer within ${job.timeoutMs} ms`,
        'PROVIDER_TIMEOUT',
        false,
      );
    }
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new HandlerError(
      `plans provider unreachable (${(err as Error).message}${cause})`,
      'PROVIDER_UNREACHABLE',
      false,
    );
  }
}
