import { ConfigurationError } from './errors.js';
import type { TransportFactory } from './transport.js';

/** Schemes whose backend lives in a package of ours that `connect` can load by itself. */
export const KNOWN_SCHEME_PACKAGES: Readonly<Record<string, string>> = {
  amqp: '@warren/amqp',
  amqps: '@warren/amqp',
  redis: '@warren/redis',
  rediss: '@warren/redis',
  amqp10: '@warren/amqp10',
  amqp10s: '@warren/amqp10',
};

const bySchemeOrName = new Map<string, TransportFactory<never>>();

/** Registers a backend under its name and each of its URL schemes. A backend package calls this when imported. */
export function registerTransport<T>(factory: TransportFactory<T>): void {
  const entry = factory as unknown as TransportFactory<never>;
  bySchemeOrName.set(factory.name, entry);
  for (const scheme of factory.schemes) bySchemeOrName.set(scheme, entry);
}

/**
 * Removes a transport by name or by one of its schemes (with all its schemes); tests use it to restore the
 * registry.
 */
export function unregisterTransport(nameOrScheme: string): void {
  const factory = bySchemeOrName.get(nameOrScheme);
  if (!factory) return;
  bySchemeOrName.delete(factory.name);
  for (const scheme of factory.schemes) bySchemeOrName.delete(scheme);
}

/** Registered schemes and known ones, for messages. */
export function knownSchemes(): string[] {
  return [...new Set([...bySchemeOrName.keys(), ...Object.keys(KNOWN_SCHEME_PACKAGES)])].sort();
}

/**
 * Finds the backend for a scheme (or transport name), importing its package when it is a known one that has not
 * been imported yet.
 */
export async function resolveTransport(scheme: string): Promise<TransportFactory<unknown>> {
  const registered = bySchemeOrName.get(scheme);
  if (registered) return registered as TransportFactory<unknown>;
  const packageName = KNOWN_SCHEME_PACKAGES[scheme];
  if (!packageName) {
    throw new ConfigurationError(
      `Unknown URL scheme "${scheme}://". Known schemes: ${knownSchemes()
        .map((s) => `${s}://`)
        .join(', ')}.`,
    );
  }
  await loadTransportPackage(scheme, packageName);
  const loaded = bySchemeOrName.get(scheme);
  if (!loaded)
    throw new ConfigurationError(`Package ${packageName} was loaded but registered no transport for "${scheme}://".`);
  return loaded as TransportFactory<unknown>;
}

/** Imports a backend package; a missing package becomes a ConfigurationError with the install command. */
export async function loadTransportPackage(scheme: string, packageName: string): Promise<void> {
  try {
    await import(packageName);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigurationError(
        `The ${scheme}:// scheme needs the ${packageName} package, which is not installed. Run: npm install ${packageName}`,
        { cause: error },
      );
    }
    throw new ConfigurationError(`Loading ${packageName} for ${scheme}:// failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
