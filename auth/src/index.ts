import './instrument';
import { runService } from '@ticketing/common/service';
import { authService } from './service';

runService(authService);
