import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { ServeStaticModule, type ServeStaticModuleOptions } from '@nestjs/serve-static';
import { pageHeaders } from './page-headers';

// From src/web or dist/web alike: the repository root.
const root = join(__dirname, '..', '..');
const pageDir = join(root, 'web', 'public');
const setHeaders = pageHeaders(join(pageDir, 'index.html'));

/** Static files only (no server-side rendering); unknown paths fall through to the API's 404. */
function serve(rootPath: string, serveRoot?: string): ServeStaticModuleOptions {
  return {
    rootPath,
    serveRoot,
    // Only `/` (or the folder itself) renders index.html: no catch-all that would hide 404s.
    renderPath: '/',
    serveStaticOptions: { fallthrough: true, index: ['index.html'], setHeaders },
  };
}

/**
 * The web chat page at `/`: its HTML and CSS (web/public), its scripts (web/dist, built by
 * `npm run build`), and the client library it runs on (client/dist). socket.io serves its own
 * browser build at /socket.io/socket.io.esm.min.js.
 */
@Module({
  imports: [
    ServeStaticModule.forRoot(
      serve(pageDir),
      serve(join(root, 'web', 'dist'), '/app'),
      serve(join(root, 'client', 'dist'), '/client'),
    ),
  ],
})
export class WebModule {}
