import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';
import { InstanceAdminOnly } from '../identity/route-access';
import { ReplayDto } from './dto/replay.dto';
import { DeliveryDto } from './dto/delivery.dto';
import { WebhookAdminService } from './webhook-admin.service';

@ApiTags('apps')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an instance admin (or an API key).' })
@InstanceAdminOnly()
@Controller('apps/:id')
export class WebhookAdminController {
  constructor(private readonly webhooks: WebhookAdminService) {}

  /** Sends every event since a time again (202: taken up within a second). */
  @Post('webhook/replay')
  @HttpCode(202)
  async replay(@Param('id') id: string, @Body() dto: ReplayDto): Promise<void> {
    await this.webhooks.replay(id, new Date(dto.since));
  }

  /** The latest 100 delivery attempts, newest first. */
  @Get('deliveries')
  deliveries(@Param('id') id: string): Promise<DeliveryDto[]> {
    return this.webhooks.deliveries(id);
  }
}
