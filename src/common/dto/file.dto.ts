import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform } from 'class-transformer';
import type { FileInfo } from '@nest-chat/protocol';
import { idFrom } from '../serialize';

/** An uploaded file, as the uploader and the members who may read it see it. */
export class FileDto implements FileInfo<Date> {
  @Expose()
  // A stored file has `_id`; a message's copy of it, `id`.
  @Transform(({ obj }: { obj: Record<string, unknown> }) =>
    idFrom(obj._id === undefined ? 'id' : '_id')({ obj }),
  )
  id!: string;

  @Expose()
  name!: string;

  /** Sniffed from the bytes. */
  @Expose()
  contentType!: string;

  @Expose()
  @ApiProperty({ type: 'integer' })
  size!: number;

  @Expose()
  sha256!: string;

  /** Images only: the size in pixels, as shown. */
  @Expose()
  @ApiPropertyOptional({ type: 'integer' })
  @Transform(({ value }: { value?: number | null }) => value ?? undefined)
  width?: number;

  @Expose()
  @ApiPropertyOptional({ type: 'integer' })
  @Transform(({ value }: { value?: number | null }) => value ?? undefined)
  height?: number;

  @Expose()
  createdAt!: Date;

  @Expose()
  @Transform(idFrom('uploaderId'))
  uploaderId!: string;
}
