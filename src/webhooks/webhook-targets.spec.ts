import { AppError } from '../common/errors/app-error';
import {
  isPublicAddress,
  parseWebhookUrl,
  publicOnlyLookup,
  requirePublicTarget,
} from './webhook-targets';

describe('webhook targets (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it.each([
    'ftp://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'http://u:p@example.com/',
    'nonsense',
  ])('refuses the URL %s', (url) => {
    expect(() => parseWebhookUrl(url)).toThrow(AppError);
  });

  it.each([
    'http://127.0.0.1:8080/x',
    'http://localhost/x',
    'http://[::1]/x',
    'http://169.254.169.254/latest',
  ])('refuses a private target %s after resolving it', async (url) => {
    await expect(requirePublicTarget(new URL(url))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('refuses to connect to a name that resolves privately (checked when connecting)', async () => {
    const error = await new Promise<Error | null>((resolve) =>
      publicOnlyLookup('localhost', {}, (failure) => resolve(failure)),
    );
    expect(error?.message).toMatch(/no public address/);
  });
});
