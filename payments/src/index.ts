import './instrument';
import { runService } from '@ticketing/common/service';
import { paymentsService } from './service';

runService(paymentsService);
