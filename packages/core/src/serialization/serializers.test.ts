import { describe, expect, it } from 'vitest';
import { ConfigurationError, SerializationError } from '../errors.js';
import { SerializerRegistry, serializers } from './serializers.js';

describe('serializers', () => {
  it('round-trips each built-in format', () => {
    const value = { text: 'héllo ✓ 日本', n: 1.5, list: [1, null, true] };
    for (const name of ['json', 'msgpack']) {
      const encoded = serializers.encode(value, name);
      expect(serializers.decode(encoded.content, encoded.contentType)).toEqual(value);
    }
    const text = serializers.encode('héllo ✓', 'text');
    expect(text.contentType).toBe('text/plain');
    expect(serializers.decode(text.content, text.contentType)).toBe('héllo ✓');
    const bytes = Buffer.from([0, 255, 1]);
    const binary = serializers.encode(bytes, 'binary');
    expect(serializers.decode(binary.content, binary.contentType)).toEqual(bytes);
  });
  it('writes JSON as kombu does', () => {
    const encoded = serializers.encode({ a: 1 }, 'json');
    expect(encoded).toMatchObject({ contentType: 'application/json', contentEncoding: 'utf-8' });
    expect(encoded.content.toString()).toBe('{"a":1}');
  });
  it('refuses BigInt and circular bodies with a SerializationError that says what to do', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => serializers.encode({ n: 1n }, 'json')).toThrow(SerializationError);
    expect(() => serializers.encode(circular, 'json')).toThrow(/circular/);
    expect(() => serializers.encode(undefined, 'json')).toThrow(SerializationError);
  });
  it('names the registered serializers when asked for an unknown one', () => {
    expect(() => serializers.encode(1, 'yaml')).toThrow(ConfigurationError);
    expect(() => serializers.encode(1, 'yaml')).toThrow(/json, text, binary, msgpack/);
  });
  it('registers and unregisters a custom format', () => {
    const registry = new SerializerRegistry();
    registry.register('upper', {
      contentType: 'text/x-upper',
      contentEncoding: 'utf-8',
      encode: (v) => Buffer.from(String(v).toUpperCase()),
      decode: (b) => b.toString().toLowerCase(),
    });
    const encoded = registry.encode('abc', 'upper');
    expect(encoded.content.toString()).toBe('ABC');
    expect(registry.decode(encoded.content, 'text/x-upper')).toBe('abc');
    expect(registry.unregister('upper')).toBe(true);
    expect(() => registry.decode(encoded.content, 'text/x-upper')).toThrow(SerializationError);
  });
  it('decodes garbage bytes into a SerializationError, not a crash', () => {
    expect(() => serializers.decode(Buffer.from('{not json'), 'application/json')).toThrow(SerializationError);
    expect(() => serializers.decode(Buffer.from([0xc1]), 'application/x-msgpack')).toThrow(SerializationError);
  });
  it('reads a message without content type as raw bytes and knows kombu aliases', () => {
    expect(serializers.decode(Buffer.from('x'), undefined)).toEqual(Buffer.from('x'));
    expect(serializers.nameForContentType('application/data')).toBe('binary');
    expect(serializers.nameForContentType('application/json; charset=utf-8')).toBe('json');
  });
});
