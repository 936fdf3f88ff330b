/** One node of a flow as submitted: its key and the keys it depends on. */
export interface FlowNodeSpec {
  key: string;
  dependsOn?: readonly string[];
}

/** Dependencies a flow may declare in all: each is a row, written with the flow in one statement. */
export const FLOW_MAX_EDGES = 100_000;

/**
 * What is wrong with a flow's graph, each problem naming the keys (empty when it is a DAG):
 * duplicate keys, unknown or repeated dependencies, a task depending on itself, cycles, and more
 * than FLOW_MAX_EDGES dependencies.
 */
export function graphProblems(nodes: readonly FlowNodeSpec[]): string[] {
  const edges = nodes.reduce((n, node) => n + (node.dependsOn?.length ?? 0), 0);
  if (edges > FLOW_MAX_EDGES) return [`tasks: ${edges} dependencies in all, at most ${FLOW_MAX_EDGES}`];
  const problems: string[] = [];
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    const first = index.get(n.key);
    if (first === undefined) index.set(n.key, i);
    else problems.push(`tasks[${i}].key: duplicate key '${n.key}' (also tasks[${first}])`);
  });
  nodes.forEach((n, i) => {
    const seen = new Set<string>();
    for (const dep of n.dependsOn ?? []) {
      if (dep === n.key) problems.push(`tasks[${i}].dependsOn: '${n.key}' depends on itself`);
      else if (!index.has(dep)) problems.push(`tasks[${i}].dependsOn: unknown key '${dep}'`);
      else if (seen.has(dep)) problems.push(`tasks[${i}].dependsOn: '${dep}' is listed twice`);
      seen.add(dep);
    }
  });
  if (problems.length > 0) return problems;
  const cycle = findCycle(nodes);
  return cycle ? [`tasks: dependency cycle ${cycle.join(' → ')}`] : [];
}

/** A cycle as keys, first key repeated at the end (`a → b → a`), or null for a DAG. Iterative: 1,000 deep is fine. */
export function findCycle(nodes: readonly FlowNodeSpec[]): string[] | null {
  const deps = new Map(nodes.map((n) => [n.key, n.dependsOn ?? []]));
  const state = new Map<string, 'open' | 'done'>();
  for (const start of nodes) {
    if (state.has(start.key)) continue;
    const path: string[] = [];
    const stack: { key: string; next: number }[] = [{ key: start.key, next: 0 }];
    state.set(start.key, 'open');
    path.push(start.key);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const children = deps.get(top.key) ?? [];
      if (top.next === children.length) {
        state.set(top.key, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const child = children[top.next++];
      const seen = state.get(child);
      if (seen === 'open') return [...path.slice(path.indexOf(child)), child];
      if (seen === undefined) {
        state.set(child, 'open');
        path.push(child);
        stack.push({ key: child, next: 0 });
      }
    }
  }
  return null;
}
