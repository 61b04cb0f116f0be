import './instrument';
import { runService } from '@ticketing/common/service';
import { __CAMEL__Service } from './service';

runService(__CAMEL__Service);
