/**
 * `npm run sim:obfuscation`: Popescu et al. 2022's evaluation of image obfuscation (VAE +
 * random non-bijective intensity map) on synthetic chest X-rays and MNIST — utility, SSIM/PSNR
 * and reconstruction attacks. The study lives in simulations/lib/obfuscation-*.ts.
 */
import { runIfMain } from './lib/main.ts'
import { runObfuscationStudy } from './lib/obfuscation-study.ts'

runIfMain(import.meta.url, runObfuscationStudy)
