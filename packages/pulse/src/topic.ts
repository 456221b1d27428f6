import { ConfigurationError } from '@warren/core';
import { nearestName, type PulseTopic } from './options.js';

/**
 * The routing-key patterns to bind for a topic, checked against the exchange's routing-key fields when its preset
 * names them: a pattern with a word count that no routing key of the exchange can have, or a field the exchange
 * does not have, is a ConfigurationError (it would bind and never match).
 */
export function topicPatterns(topic: PulseTopic, exchange: string, fields: readonly string[] | undefined): string[] {
  if (typeof topic === 'string') return [checkPattern(topic, exchange, fields)];
  if (Array.isArray(topic)) {
    if (topic.length === 0) throw new ConfigurationError(`A topic list for ${exchange} needs at least one pattern.`);
    return topic.map((pattern: string) => checkPattern(pattern, exchange, fields));
  }
  return [fieldsPattern(topic as Readonly<Record<string, string>>, exchange, fields)];
}

function checkPattern(pattern: string, exchange: string, fields: readonly string[] | undefined): string {
  if (pattern === '' || pattern.split('.').some((word) => word === '')) {
    throw new ConfigurationError(
      `Topic "${pattern}" for ${exchange} has an empty word: write words separated by single dots, "*" for one word, "#" for any number.`,
    );
  }
  if (!fields) return pattern;
  const words = pattern.split('.');
  // Taskcluster's custom routes (`route.<anything>`) share the exchange with the primary keys.
  if (fields[0] === 'routingKeyKind' && words[0] === 'route') return pattern;
  const hasHash = words.includes('#');
  const fixed = words.filter((word) => word !== '#').length;
  // The last field of a Taskcluster-style key is `reserved`, meant to be matched with `#`.
  const multiword = fields[fields.length - 1] === 'reserved';
  const least = multiword ? fields.length - 1 : fields.length;
  const fits = multiword ? hasHash || fixed >= least : hasHash ? fixed <= fields.length : fixed === fields.length;
  if (!fits) {
    throw new ConfigurationError(
      `Topic "${pattern}" can never match a routing key of ${exchange}: its keys have the fields ${fields.join('.')} (${least}${multiword ? ' or more' : ''} words), the topic has ${fixed}. Use "#" for the rest, or pass the fields by name: { ${fields[1] ?? fields[0]}: '...' }.`,
    );
  }
  return pattern;
}

function fieldsPattern(
  values: Readonly<Record<string, string>>,
  exchange: string,
  fields: readonly string[] | undefined,
): string {
  if (!fields) {
    throw new ConfigurationError(
      `${exchange} has no named routing-key fields: pass the topic as a pattern such as "hg.commit.#".`,
    );
  }
  for (const key of Object.keys(values)) {
    if (!fields.includes(key)) {
      const near = nearestName(key, fields);
      throw new ConfigurationError(
        `${exchange} has no routing-key field "${key}"${near ? ` (did you mean "${near}"?)` : ''}; its fields are ${fields.join(', ')}.`,
      );
    }
  }
  return fields
    .map((field, index) => {
      const value = values[field];
      const last = index === fields.length - 1 && field === 'reserved';
      if (value === undefined) return last ? '#' : '*';
      if (value.includes('.') && !last) {
        throw new ConfigurationError(
          `Routing-key field ${field} of ${exchange} is one word: "${value}" has a dot. Use "*" for any value.`,
        );
      }
      return value;
    })
    .join('.');
}
