/** uPlot and its stylesheet, in a chunk of their own (imported dynamically by TimeChart). */
import UPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export { UPlot };
