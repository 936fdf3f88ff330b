import { TASK_STATUSES, TERMINAL_STATUSES } from '@conveyor/contracts';

/** What `q` searches: the expression of the trigram index tasks_search_trgm_idx, word for word. */
const SEARCH_TEXT = `(payload::text || ' ' || coalesce(result::text, '') || ' ' || coalesce(error::text, ''))`;
const inList = (statuses: readonly string[]) => `status IN (${statuses.map((s) => `'${s}'`).join(', ')})`;
/**
 * The `q` filter of GET /tasks, matching $10 (the pattern). The trigram index covers finished
 * tasks only (statuses as literals, so the planner proves its predicate); unfinished ones are
 * read through the status index, and one bitmap scan ors the two.
 */
export const TEXT_SEARCH = `AND ((${inList(TERMINAL_STATUSES)} AND ${SEARCH_TEXT} ILIKE $10)
  OR (${inList(TASK_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s)))} AND ${SEARCH_TEXT} ILIKE $10))`;
