import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Headers, HttpCode, Logger, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import contentDisposition from 'content-disposition';
import type { Request, Response } from 'express';
import { FileDto } from '../common/dto/file.dto';
import { AppError } from '../common/errors/app-error';
import { AuthenticatedUser } from '../identity/authenticated-user';
import { CurrentUser } from '../identity/current-user.decorator';
import type { StoredFile } from '../persistence/files/stored-file.schema';
import type { ByteRange } from './storage/file-storage';
import { FilesService } from './files.service';

/** Shown in the browser as they are; anything else (HTML, SVG, XML, scripts) is a download. */
const INLINE =
  /^(image\/(png|jpeg|gif|webp|avif)|application\/pdf|audio\/[\w.+-]+|video\/[\w.+-]+)$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

@ApiTags('files')
@ApiBearerAuth()
@Controller('files')
export class FilesController {
  private readonly logger = new Logger(FilesController.name);

  constructor(private readonly files: FilesService) {}

  /**
   * Uploads one file (multipart/form-data, one part named `file`), streamed into storage; its
   * type is sniffed from the bytes. The same `Idempotency-Key` again returns the same file (201,
   * `Idempotent-Replayed: true`). Over FILE_MAX_BYTES, or the user's quota: 413.
   */
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiPayloadTooLargeResponse({ description: 'Over FILE_MAX_BYTES or the quota; nothing kept.' })
  @Post()
  @HttpCode(201)
  async upload(
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<FileDto> {
    try {
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new AppError('VALIDATION_FAILED', 'Idempotency-Key: 1–128 visible ASCII characters');
      }
      const { file, replayed } = await this.files.upload(user.id, request, idempotencyKey);
      if (replayed) response.setHeader('Idempotent-Replayed', 'true');
      return file;
    } catch (error) {
      // The rest of a refused upload is not read: the connection closes after the answer.
      response.setHeader('Connection', 'close');
      throw error;
    }
  }

  /**
   * The file's bytes, for its uploader and the members of a conversation with a message that
   * carries it (404 for anyone else). One `Range` of bytes is answered with 206; `If-None-Match`
   * with its ETag (the SHA-256) with 304.
   */
  @ApiNotFoundResponse({ description: 'No such file, or not one the caller may read.' })
  @Get(':id')
  async download(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const file = await this.files.find(user.id, id);
    const etag = `"${file.sha256}"`;
    this.commonHeaders(response, etag);
    response.setHeader(
      'Content-Disposition',
      contentDisposition(file.name, {
        type: INLINE.test(file.contentType) ? 'inline' : 'attachment',
      }),
    );
    if (this.unchanged(request, etag)) return void response.status(304).end();
    const range = this.rangeOf(request, file);
    response.setHeader('Content-Type', file.contentType);
    if (range) {
      response.status(206);
      response.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
      response.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      response.status(200);
      response.setHeader('Content-Length', String(file.size));
    }
    await this.send(response, request.method === 'HEAD' ? null : this.files.open(file, range));
  }

  /** An image's thumbnail (WebP, at most 320 px), for those who may read the file. */
  @ApiNotFoundResponse({ description: 'No such file, not one the caller may read, or no image.' })
  @Get(':id/thumbnail')
  async thumbnail(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const file = await this.files.find(user.id, id);
    const open = this.files.thumbnailReader(file);
    const etag = `"${file.sha256}-thumbnail"`;
    this.commonHeaders(response, etag);
    if (this.unchanged(request, etag)) return void response.status(304).end();
    response.setHeader('Content-Type', 'image/webp');
    response.setHeader(
      'Content-Disposition',
      contentDisposition(`${file.name}.webp`, { type: 'inline' }),
    );
    await this.send(response.status(200), request.method === 'HEAD' ? null : open());
  }

  private commonHeaders(response: Response, etag: string): void {
    response.setHeader('ETag', etag);
    response.setHeader('Accept-Ranges', 'bytes');
    response.setHeader('Cache-Control', 'private, no-cache');
    // Whatever the bytes are, they run nothing in the page's origin.
    response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  }

  private unchanged(request: Request, etag: string): boolean {
    const header = request.headers['if-none-match'];
    return (
      header !== undefined &&
      header.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')
    );
  }

  /** One satisfiable range, else null: several, malformed or unsatisfiable ones get the whole file. */
  private rangeOf(request: Request, file: StoredFile): ByteRange | null {
    if (!request.headers.range || file.size === 0) return null;
    const ranges = request.range(file.size, { combine: true });
    if (!Array.isArray(ranges) || ranges.type !== 'bytes' || ranges.length !== 1) return null;
    return { start: ranges[0].start, end: ranges[0].end };
  }

  private async send(response: Response, stream: Readable | null): Promise<void> {
    if (!stream) return void response.end();
    try {
      await pipeline(stream, response);
    } catch (error) {
      // The client went away, or storage failed half-way: the response is cut off (its length
      // tells the client so). Nothing more can be said on it.
      if (!response.writableEnded) this.logger.warn({ err: error }, 'File download cut off');
      response.destroy();
    }
  }
}
