import './instrument';
import { runService } from '@ticketing/common/service';
import { ticketsService } from './service';

runService(ticketsService);
