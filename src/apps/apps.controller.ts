import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';
import { InstanceAdminOnly } from '../identity/route-access';
import { AppsService } from './apps.service';
import { AppDto, CreatedAppDto, CreatedKeyDto } from './dto/app.dto';
import { CreateAppDto } from './dto/create-app.dto';
import { CreateKeyDto } from './dto/create-key.dto';
import { UpdateAppDto } from './dto/update-app.dto';

/** Apps, their keys and endpoints: instance admins only (the first is made from the command line). */
@ApiTags('apps')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an instance admin (or an API key).' })
@InstanceAdminOnly()
@Controller('apps')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  /** A new app with its bot user and first key; the key and webhook secret are shown only here. */
  @Post()
  create(@Body() dto: CreateAppDto): Promise<CreatedAppDto> {
    return this.apps.create(dto);
  }

  @Get()
  list(): Promise<AppDto[]> {
    return this.apps.list();
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<AppDto> {
    return this.apps.get(id);
  }

  /**
   * Renames it, changes its scopes, sets, changes or removes (`webhook: null`) its endpoint, or
   * re-enables a disabled one (`webhook: { status: "active" }`: delivery resumes where it stopped).
   * `webhookSecret` is present when an endpoint was set where there was none.
   */
  @Patch(':id')
  update(@Param('id') id: string, @Body() dto: UpdateAppDto): Promise<CreatedAppDto> {
    return this.apps.update(id, dto);
  }

  /** The app and its keys go (its bot's messages stay). */
  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id') id: string): Promise<void> {
    return this.apps.delete(id);
  }

  /** Another key (rotation: older keys work until deleted); shown only here. */
  @Post(':id/keys')
  addKey(@Param('id') id: string, @Body() dto: CreateKeyDto): Promise<CreatedKeyDto> {
    return this.apps.addKey(id, dto.scopes);
  }

  @Delete(':id/keys/:keyId')
  @HttpCode(204)
  deleteKey(@Param('id') id: string, @Param('keyId') keyId: string): Promise<void> {
    return this.apps.deleteKey(id, keyId);
  }
}
