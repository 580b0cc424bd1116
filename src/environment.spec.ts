import { Logger } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { SETTINGS, validateEnvironment } from './environment';
import { settingDocs } from './config/setting';

describe('validateEnvironment', () => {
  const uri = 'mongodb://127.0.0.1:27017/chat';
  const strongSecret = '6f1c0e9b2d7a48c3a5e1f0b9d2c7e4a18b3f6d0c';
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('applies defaults and converts types', () => {
    const env = validateEnvironment({
      MONGODB_URI: uri,
      PORT: '4000',
      CORS_ORIGINS: 'http://a, http://b',
    });
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 4000,
      MONGODB_URI: uri,
      JWT_EXPIRES_IN: 900,
      REFRESH_TOKEN_TTL_SECONDS: 2_592_000,
      CORS_ORIGINS: ['http://a', 'http://b'],
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'pretty',
    });
  });

  it('logs JSON in production and whatever LOG_FORMAT says elsewhere', () => {
    const production = { MONGODB_URI: uri, NODE_ENV: 'production', JWT_SECRET: strongSecret };
    expect(validateEnvironment(production).LOG_FORMAT).toBe('json');
    expect(validateEnvironment({ ...production, LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(validateEnvironment({ MONGODB_URI: uri, LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(() => validateEnvironment({ MONGODB_URI: uri, LOG_FORMAT: 'xml' })).toThrow(
      /LOG_FORMAT/,
    );
  });

  it('generates a random JWT secret outside production when none is set, and says so', () => {
    const first = validateEnvironment({ MONGODB_URI: uri }).JWT_SECRET;
    const second = validateEnvironment({ MONGODB_URI: uri }).JWT_SECRET;
    expect(first).toHaveLength(64);
    expect(first).not.toBe(second);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/JWT_SECRET is not set/));
    expect(validateEnvironment({ MONGODB_URI: uri, JWT_SECRET: 's'.repeat(32) }).JWT_SECRET).toBe(
      's'.repeat(32),
    );
  });

  it('refuses to start in production without a strong JWT_SECRET, naming it', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production', MONGODB_URI: uri })).toThrow(
      /JWT_SECRET is required in production/,
    );
    expect(() =>
      validateEnvironment({ NODE_ENV: 'production', MONGODB_URI: uri, JWT_SECRET: 'secret' }),
    ).toThrow(/JWT_SECRET must be at least 32 characters/);
    for (const guessable of ['a'.repeat(40), 'ab'.repeat(20), '0123'.repeat(10)]) {
      expect(() =>
        validateEnvironment({ NODE_ENV: 'production', MONGODB_URI: uri, JWT_SECRET: guessable }),
      ).toThrow(/JWT_SECRET looks guessable/);
    }
    expect(
      validateEnvironment({ NODE_ENV: 'production', MONGODB_URI: uri, JWT_SECRET: strongSecret })
        .JWT_SECRET,
    ).toBe(strongSecret);
  });

  it('lists every bad variable at once', () => {
    let message = '';
    try {
      validateEnvironment({ PORT: 'eighty', MONGODB_URI: 'http://db', LOG_LEVEL: 'loud' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/MONGODB_URI must be a mongodb:\/\/ URI/);
    expect(message).toMatch(/LOG_LEVEL/);
  });

  it('requires MONGODB_URI', () => {
    expect(() => validateEnvironment({})).toThrow(/MONGODB_URI/);
  });
});

describe('the settings of every module', () => {
  it('documents every variable it validates, and no variable belongs to two modules', () => {
    const seen = new Map<string, string>();
    for (const settings of SETTINGS) {
      const validated = new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(settings, '', true, false)
          .map((rule) => rule.propertyName),
      );
      const documented = settingDocs(settings).map((doc) => doc.name);
      expect({ settings: settings.name, documented: [...documented].sort() }).toEqual({
        settings: settings.name,
        documented: [...validated].sort(),
      });
      for (const name of documented) {
        expect({ name, in: seen.get(name) }).toEqual({ name, in: undefined });
        seen.set(name, settings.name);
      }
    }
  });

  it('lists the problems of every module at once', () => {
    let message = '';
    try {
      validateEnvironment({
        MONGODB_URI: 'not a uri',
        PORT: 'x',
        FILE_MAX_BYTES: '0',
        SOCKET_PACKETS_PER_SECOND: '0',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['MONGODB_URI', 'PORT', 'FILE_MAX_BYTES', 'SOCKET_PACKETS_PER_SECOND']) {
      expect(message).toContain(name);
    }
  });
});
