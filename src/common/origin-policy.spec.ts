import { isOriginAllowed } from './origin-policy';

describe('isOriginAllowed', () => {
  it('lets non-browser clients (no Origin) through', () => {
    expect(isOriginAllowed(undefined, 'chat.example', [])).toBe(true);
  });

  it('allows only listed origins when a list is given', () => {
    const list = ['https://app.example'];
    expect(isOriginAllowed('https://app.example', 'api.example', list)).toBe(true);
    expect(isOriginAllowed('https://evil.example', 'api.example', list)).toBe(false);
    expect(isOriginAllowed('https://app.example.evil', 'api.example', list)).toBe(false);
  });

  it('always allows the server’s own origin (its web page), list or not', () => {
    const list = ['https://app.example'];
    expect(isOriginAllowed('https://api.example', 'api.example', list)).toBe(true);
    expect(isOriginAllowed('https://api.example.evil', 'api.example', list)).toBe(false);
  });

  it('allows any origin with *', () => {
    expect(isOriginAllowed('https://anything.example', 'api.example', ['*'])).toBe(true);
  });

  it('allows only the same origin when the list is empty', () => {
    expect(isOriginAllowed('http://localhost:3000', 'localhost:3000', [])).toBe(true);
    expect(isOriginAllowed('http://localhost:3001', 'localhost:3000', [])).toBe(false);
    expect(isOriginAllowed('null', 'localhost:3000', [])).toBe(false);
  });
});
