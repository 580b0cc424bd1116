import { Global, Module } from '@nestjs/common';
import { DrainService } from './drain.service';
import { PageReads } from './page-reads';

@Global()
@Module({
  providers: [DrainService, PageReads],
  exports: [DrainService, PageReads],
})
export class CommonModule {}
