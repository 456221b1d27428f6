/**
 * AMQP 0-9-1 topic matching: words split on `.`, `*` matches exactly one word, `#` matches zero or more words.
 * `*.stock.#` matches `usd.stock` and `eur.stock.db`, not `stock.nasdaq`.
 */
export type TopicMatcher = (routingKey: string) => boolean;

const compiled = new Map<string, TopicMatcher>();
const MAX_CACHED = 10_000;

/** A matcher for one binding pattern, cached: patterns repeat across bindings and the hot path calls this. */
export function topicMatcher(pattern: string): TopicMatcher {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    matcher = compile(pattern);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, matcher);
  }
  return matcher;
}

/**
 * Whether a routing key matches a topic pattern (`*` one word, `#` zero or more); compiles the pattern each call,
 * see `topicMatcher` for reuse.
 */
export function topicMatches(pattern: string, routingKey: string): boolean {
  return topicMatcher(pattern)(routingKey);
}

function compile(pattern: string): TopicMatcher {
  if (pattern === '#') return () => true;
  if (!pattern.includes('*') && !pattern.includes('#')) return (key) => key === pattern;
  const patternWords = pattern.split('.');
  return (key) => matchWords(patternWords, 0, key.split('.'), 0);
}

function matchWords(pattern: readonly string[], p: number, words: readonly string[], w: number): boolean {
  while (p < pattern.length) {
    const token = pattern[p];
    if (token === '#') {
      // Collapse runs of '#': one is as good as many.
      while (p + 1 < pattern.length && pattern[p + 1] === '#') p++;
      if (p === pattern.length - 1) return true;
      for (let skip = w; skip <= words.length; skip++) {
        if (matchWords(pattern, p + 1, words, skip)) return true;
      }
      return false;
    }
    if (w >= words.length) return false;
    if (token !== '*' && token !== words[w]) return false;
    p++;
    w++;
  }
  return w === words.length;
}
