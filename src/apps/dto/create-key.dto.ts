import { ArrayMaxSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { APP_SCOPES, type AppScope } from '../../persistence/apps/app.schema';

export class CreateKeyDto {
  /** A subset of the app's scopes; absent: all of the app's. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(APP_SCOPES.length)
  @IsIn(APP_SCOPES, { each: true })
  scopes?: AppScope[];
}
