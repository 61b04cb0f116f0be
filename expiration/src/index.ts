import './instrument';
import { runService } from '@ticketing/common/service';
import { expirationService } from './service';

runService(expirationService);
