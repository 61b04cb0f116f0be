import './instrument';
import { runService } from '@ticketing/common/service';
import { ordersService } from './service';

runService(ordersService);
